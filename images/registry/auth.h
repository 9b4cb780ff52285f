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
/* What a request to endpoint carries: a Bearer token for scope
 * ("repository:P:pull", space-separated when several; "" for the registry
 * itself) in *header ("Authorization: Bearer ..."), or Basic credentials
 * ("user:password") in *userpass, or neither. */
int reg_auth_header(reg_auth *a, reg_client *c, const char *endpoint, const char *scope, bool plain, char **header,
		    char **userpass, cerr *err);
/* endpoint answered 401 with challenge: remember it and get a token for
 * scope and what else the challenge names. */
int reg_auth_challenge(reg_auth *a, reg_client *c, const char *endpoint, const char *scope, const char *challenge,
		       bool plain, cerr *err);

/* A WWW-Authenticate challenge as registries send it: `Bearer
 * realm="...",service="...",scope="..."` or `Basic realm="..."`. */
typedef struct reg_challenge {
	bool bearer;                   /* else Basic */
	char *realm, *service, *scope; /* Bearer's parameters; NULL when absent */
} reg_challenge;
/* 0; -EPROTONOSUPPORT for another scheme, -EPROTO for a Bearer challenge
 * without a realm. reg_challenge_free is due in every case. */
int reg_challenge_parse(const char *text, reg_challenge *out);
void reg_challenge_free(reg_challenge *c);
/* A token server's answer (len bytes): its "token", else its
 * "access_token", a line of its own (*token, the caller's), and its
 * lifetime in seconds ("expires_in", else a default). 0; -EBADMSG when it
 * is not a JSON document, -ENOENT when it holds no token; -ENOMEM. */
int reg_token_parse(const char *body, size_t len, char **token, long long *secs);
