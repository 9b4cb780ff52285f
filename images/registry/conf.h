/* Which registries corral speaks to, and how: the settings of
 * containers-registries.conf(5), given as corrald.conf keys or
 * `corral image pull` options.
 *   search    a registry that short names are looked up in, in order
 *   mirror    PREFIX=LOCATION: tried first for references under PREFIX
 *   insecure  HOST[:PORT] spoken to over http or TLS without verification
 *   blocked   PREFIX never spoken to
 * A PREFIX is a registry ("docker.io") or a repository under one
 * ("docker.io/library"). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

typedef struct reg_mirror {
	char *prefix, *location;
} reg_mirror;

typedef struct reg_conf {
	char **search;
	reg_mirror *mirrors;
	size_t n_mirrors;
	char **insecure;
	char **blocked;
	char *certs_dir;     /* HOST[:PORT]/ca.crt, client.cert, client.key */
	unsigned stall_secs; /* a transfer that moves no byte this long fails */
	unsigned whole_secs; /* every request of a client ends this long after it was made; 0: none */
} reg_conf;

#define REG_CERTS_DIR_DEFAULT "/etc/corral/certs.d"
#define REG_STALL_DEFAULT 30

/* key is search, mirror, insecure or blocked; value as above. */
int reg_conf_add(reg_conf *c, const char *key, const char *value, cerr *err);
void reg_conf_free(reg_conf *c);
/* Is repo (DOMAIN/PATH) under a blocked prefix? */
bool reg_conf_blocked(const reg_conf *c, const char *repo);
bool reg_conf_insecure(const reg_conf *c, const char *host);
/* Does repo lie under prefix (equal, or prefix then '/')? */
bool reg_prefix_of(const char *prefix, const char *repo);
