/* Pulls from registries, as the rest of corrald sees them: a pull runs in
 * corral-images (which speaks to the registry, so that a hostile one never
 * reaches corrald's memory), with the peer's logins on its stdin, the
 * registries settings of corrald.conf as its options, and its progress
 * read line by line as it comes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "images/digest.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/server.h"

struct corrald;

typedef struct pull_outcome {
	bool ok;
	bool host_fault;         /* the store's or the host's, not the registry's */
	const char *error;       /* the one line corral-images gave, when !ok */
	char id[DIGEST_STR_LEN], manifest[DIGEST_STR_LEN], repo_digest[DIGEST_STR_LEN];
	char ref[600];           /* as pulled: DOMAIN/PATH[:TAG][@DIGEST] */
} pull_outcome;

typedef void (*pull_done_fn)(struct corrald *d, vl_call *call, const pull_outcome *o, void *ctx);
/* A layer's progress as corral-images tells it (bytes done of total), for
 * call (NULL once its client hung up). */
typedef void (*pull_progress_fn)(vl_call *call, const char *layer, unsigned long long done,
				 unsigned long long total);

typedef struct pull_req {
	const char *ref;
	const char *platform;     /* NULL: the host's */
	const char *auth_json;    /* more credentials (an imagePullSecret), tried first; or NULL */
	vl_call *call;            /* the pull's caller; or NULL */
	pull_progress_fn progress; /* each layer's progress, for call; or NULL */
	bool detach;              /* goes on when call's client hangs up; else it ends the pull */
} pull_req;

/* docs' "auths" as one document (*out: wipe and free it), a registry's
 * first entry winning; *out NULL when docs hold none. */
int pull_merge_auths(yajl_val *docs, size_t n, char **out, cerr *err);
/* Wipe (json_wipe) and free n parsed documents, and the array. */
void pull_free_auths(yajl_val *docs, size_t n);

/* Start a pull as peer; done runs once, from the loop, and owns ctx. On an
 * error done never runs. */
int pull_start(struct corrald *d, const peer_cred *peer, const pull_req *q, pull_done_fn done, void *ctx, cerr *err);

/* corrald's exit, before its helpers are let go (imghelper_shutdown): each
 * pull under way ends, its done told so with no call, and so frees ctx. */
void pulls_shutdown(struct corrald *d);

/* The hourly sweep of ingest files older than a day (out: el_remove it). */
int pull_sweep_start(struct corrald *d, el_source **out, cerr *err);
/* How many pulls and pushes of uid's run now (unprivileged.max_pulls
 * counts them). */
size_t pull_running(struct corrald *d, uid_t uid);
/* The pushes alone (push_run.c). */
size_t push_running(struct corrald *d, uid_t uid);

/* corral-images' arguments: a (and b, when not NULL) added to *v; -ENOMEM. */
int pull_arg(char ***v, const char *a, const char *b);
/* corrald.conf's registry settings as corral-images options (certs,
 * stall timeout, insecure and blocked registries); -ENOMEM. */
int pull_registry_args(struct corrald *d, char ***args);
/* The request's own credentials (extra, a dockerconfigjson; or NULL), then
 * peer's logins: one document (*out: wipe and free it). */
int pull_auth_of(struct corrald *d, const peer_cred *peer, const char *extra, char **out, cerr *err);
/* Login's rules for a username and password, the fault under parent. */
int pull_userpass_check(const char *parent, const char *user, const char *pass, json_fault *f);
/* params' "credentials" ({username, password}) as a dockerconfigjson for
 * the registry ref goes to (*out: wipe and free it); *out NULL when there
 * are none. Used for that call only, and never kept. */
int pull_call_auth(struct corrald *d, yajl_val params, const char *ref, char **out, json_fault *f);

/* A push's outcome, and each blob's progress as corral-images tells it
 * (state; from: the repository it was mounted from, or ""), for call (NULL
 * once its client hung up). */
typedef struct push_outcome {
	bool ok;
	bool host_fault;
	const char *error;          /* when !ok */
	char digest[DIGEST_STR_LEN];
	unsigned long long size;
	char ref[600];              /* as pushed: DOMAIN/PATH:TAG */
} push_outcome;
typedef void (*push_done_fn)(struct corrald *d, vl_call *call, const push_outcome *o, void *ctx);
typedef void (*push_progress_fn)(vl_call *call, const char *blob, unsigned long long done, unsigned long long total,
				 const char *state, const char *from);

typedef struct push_req {
	const char *image;         /* what the peer sees: its manifest digest */
	const char *id;            /* its config digest, the event's id */
	const char *dest;
	const char *auth_json;     /* the call's own credentials, tried first; or NULL */
	vl_call *call;             /* the push's caller, whose hanging up ends it; or NULL */
	push_progress_fn progress; /* each blob's progress, for call; or NULL */
} push_req;
/* Push q->image to q->dest, as peer; done as pull_start's. */
int push_start(struct corrald *d, const peer_cred *peer, const push_req *q, push_done_fn done, void *ctx, cerr *err);

/* Whether ref can be pulled: 0; -EINVAL when it is no reference (err says
 * why); -ENOENT when it is a short name and corrald.conf sets no
 * registry-search, so that there is no registry to pull it from. */
int pull_check_ref(struct corrald *d, const char *ref, cerr *err);
/* Whether ref is in the store as peer sees it (a member: its own names
 * and root's), where a pull of it would have put it: by its name; a short
 * name also as each registry-search qualifies it; NAME@DIGEST by its
 * digest. 1 with the name it is found under in name (n bytes), 0 when it
 * is not there, or -errno. */
int pull_find_image(struct corrald *d, const peer_cred *peer, const char *ref, char *name, size_t n, cerr *err);
