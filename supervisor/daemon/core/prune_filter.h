/* Docker's prune filters, as ContainerPrune, ImagePrune and SystemPrune
 * take them: until (what was created before then), labels (each "KEY" or
 * "KEY=VALUE" holds) and labelsNot (none of them holds). */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"

#define PRUNE_LABELS_MAX 64
#define PRUNE_LABEL_KEY_MAX 256

typedef struct prune_filter {
	long long until_ns; /* 0: no bound */
	yajl_val labels, labels_not; /* arrays of strings, borrowed from the call's params; NULL: none */
} prune_filter;

/* The call's until, labels and labelsNot into *pf: 0, or -EINVAL with f. */
int prune_filter_parse(yajl_val params, prune_filter *pf, json_fault *f);
/* Whether something created at created_ns (0: unknown, which until keeps),
 * whose label KEY is label(src, KEY) (NULL: none), is to go. */
bool prune_filter_match(const prune_filter *pf, long long created_ns, const char *(*label)(const void *src, const char *key),
			const void *src);
/* label() of a container's labels, key, value, ..., NULL */
const char *prune_label_of_kv(const void *kv, const char *key);
