/* Registry credentials and tokens. Credentials come from a
 * containers-auth.json(5) document and stay in this process; a registry's
 * challenge (WWW-Authenticate) is remembered per endpoint, so later
 * requests carry Basic credentials or a Bearer token at once, and tokens
 * are cached per realm, service and scope until they expire. A realm is
 * spoken to over https only, unless the registry itself is insecure. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

typedef struct reg_auth reg_auth;
typedef struct reg_client reg_client;

#define REG_MAX_AUTH_JSON (1u << 20)

int reg_auth_new(const char *auth_json, reg_auth **out, cerr *err);
void reg_auth_free(reg_auth *a);
/* What a request about path to endpoint carries: a Bearer token
 * ("Authorization: Bearer ...") in *header, or Basic credentials
 * ("user:password") in *userpass, or neither. */
int reg_auth_header(reg_auth *a, reg_client *c, const char *endpoint, const char *path, bool plain, char **header,
		    char **userpass, cerr *err);
/* endpoint answered 401 with challenge: remember it and get what it asks. */
int reg_auth_challenge(reg_auth *a, reg_client *c, const char *endpoint, const char *path, const char *challenge,
		       bool plain, cerr *err);
