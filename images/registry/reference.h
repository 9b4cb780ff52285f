/* Image references as the distribution project defines them:
 *   [DOMAIN/]PATH[:TAG][@DIGEST]
 * DOMAIN is the first component when it has a '.' or a ':' or is
 * "localhost"; PATH is lowercase components joined by '/'. A reference
 * without a domain is short: it is qualified only by a registry the caller
 * names (search registries, or "localhost" for local names), never guessed.
 * docker.io's one-component paths live under "library/". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

#define REF_NAME_MAX 255
#define REF_TAG_MAX 128
#define REF_DIGEST_LEN (7 + 64 + 1) /* "sha256:" + 64 hex + NUL */

typedef struct reg_ref {
	char domain[REF_NAME_MAX + 1]; /* "" when short */
	char path[REF_NAME_MAX + 1];
	char tag[REF_TAG_MAX + 1];     /* "" when absent */
	char digest[REF_DIGEST_LEN];   /* "sha256:<hex>", "" when absent */
} reg_ref;

/* Parse s; a one-line error names what was wrong. */
int reg_ref_parse(const char *s, reg_ref *r, cerr *err);
static inline bool reg_ref_is_short(const reg_ref *r) { return !r->domain[0]; }
/* Put a short reference under domain (docker.io: one-component paths
 * under library/); "index.docker.io" is docker.io. */
int reg_ref_qualify(reg_ref *r, const char *domain, cerr *err);
/* DOMAIN/PATH, the repository. */
int reg_ref_repo(const reg_ref *r, char *out, size_t n);
/* DOMAIN/PATH[:TAG][@DIGEST], with ":latest" when it names neither. */
int reg_ref_string(const reg_ref *r, char *out, size_t n);
/* The host to speak to for a domain: docker.io's API is registry-1.docker.io. */
const char *reg_domain_host(const char *domain);
/* Is the domain one that has a port, a dot, or is localhost? */
bool reg_is_domain(const char *first_component, size_t len);
/* The registry a credential's key names: "https://index.docker.io/v1/" and
 * "registry-1.docker.io" are docker.io; a scheme and path are dropped. */
void reg_auth_key(const char *key, char *out, size_t n);
