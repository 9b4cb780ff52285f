/* A session's broker policy (corralctl session create --broker-policy FILE;
 * corral-broker(7)): a JSON object
 *   {"parties": [ {"name": "web" | "labels": {"role": "worker"},
 *                  "publish": [patterns], "subscribe": [...], "serve": [...],
 *                  "stateRead": [key patterns], "stateWrite": [...],
 *                  "rate": {"messages": 100, "bytes": "1M", "burst": 200}} ...]}
 * The first entry whose name is the party's ("*": any) or whose labels the
 * party all has is the party's; a party no entry names may do nothing.
 * A list left out allows nothing; rates left out are unlimited. Without a
 * policy, every party may do everything inside its session. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"

#define BROKER_POLICY_MAX_RULES 256
#define BROKER_POLICY_MAX_PATTERNS 256
#define BROKER_POLICY_FILE_MAX (1u << 20)

/* stateRead and stateWrite hold patterns of the session state's keys: a
 * StateList or StateWatch prefix is the pattern "prefix*". */
enum broker_action { BROKER_PUBLISH, BROKER_SUBSCRIBE, BROKER_SERVE, BROKER_STATE_READ, BROKER_STATE_WRITE,
		     BROKER_N_ACTIONS };

typedef struct broker_rule {
	char *name;     /* NULL: by labels */
	char **labels;  /* key, value, ..., NULL */
	char **allow[BROKER_N_ACTIONS]; /* by enum broker_action: patterns, NULL-terminated */
	double msg_rate, msg_burst;   /* messages a second; 0: no limit */
	double byte_rate, byte_burst; /* bytes a second; 0: no limit */
} broker_rule;

typedef struct broker_policy {
	broker_rule *rules;
	size_t n_rules;
} broker_policy;

/* From the parsed JSON v (its path parent, "" at the top). */
int broker_policy_parse(yajl_val v, const char *parent, broker_policy **out, json_fault *f);
/* From a file (corralctl reads the operator's file; corrald the copy it keeps). */
int broker_policy_load(const char *path, broker_policy **out, cerr *err);
void broker_policy_free(broker_policy *p);
static inline void broker_policy_freep(broker_policy **p) { broker_policy_free(*p); }

/* The party's entry; NULL when none names it (p NULL: none either). */
const broker_rule *broker_policy_rule(const broker_policy *p, const char *party, char *const *labels);
/* Whether party may act on topic (a pattern for subscribe and serve): p
 * NULL allows everything, a party without an entry nothing. */
bool broker_policy_allows(const broker_policy *p, const char *party, char *const *labels, enum broker_action a,
			  const char *topic);
const char *broker_action_name(enum broker_action a);
