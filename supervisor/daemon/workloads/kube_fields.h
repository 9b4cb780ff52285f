/* Typed reads of a manifest's fields, each error "FILE:LINE: PATH: why". */
#pragma once
#include <stdbool.h>
#include "supervisor/daemon/workloads/kube_yaml.h"

#define KUBE_PATH_MAX 256

typedef struct kube_ctx {
	const char *file;
	cerr *err;
} kube_ctx;

/* out of memory while generating */
int kube_gen_failed(kube_ctx *c);
int kube_fail(kube_ctx *c, unsigned line, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* parent.key, or key when parent is "" */
const char *kube_path(char *buf, const char *parent, const char *key);
/* parent.key[i] */
const char *kube_path_at(char *buf, const char *parent, const char *key, size_t i);

/* n is a mapping whose keys are all in allowed (NULL-terminated); any
 * other is "PATH.KEY: not supported" at its line. */
int kube_check_keys(kube_ctx *c, const kube_node *n, const char *path, const char *const *allowed);

/* Getters of map's key (path names map): absent or null leaves
 * *out alone and, when required, fails "PATH.KEY: required" at map's line. */
int kube_get_str(kube_ctx *c, const kube_node *map, const char *path, const char *key, bool required,
		 const char **out);
int kube_get_int(kube_ctx *c, const kube_node *map, const char *path, const char *key, long long min,
		 long long max, long long *out);
int kube_get_bool(kube_ctx *c, const kube_node *map, const char *path, const char *key, bool *out);
/* A sequence of strings, as a NULL-terminated vector (absent: NULL). */
int kube_get_strv(kube_ctx *c, const kube_node *map, const char *path, const char *key, char ***out);
/* A sequence or mapping value (absent: NULL). */
int kube_get_seq(kube_ctx *c, const kube_node *map, const char *path, const char *key, const kube_node **out);
int kube_get_map(kube_ctx *c, const kube_node *map, const char *path, const char *key, const kube_node **out);

/* An RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most KUBE_NAME_MAX. */
bool kube_name_valid(const char *s, size_t len);
