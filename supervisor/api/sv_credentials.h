/* ImagePull's and ImagePush's credentials parameter, and the user and
 * password a docker config.json's auth holds, for the clients that pass a
 * caller's credentials on (corral-docker, corral-cri). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

/* auth, base64 of user:password, decoded into pair (room for max + 1
 * bytes) as *user and *pass; false, and they untouched, when it is not
 * that. */
bool sv_auth_split(const char *auth, unsigned char *pair, size_t max, const char **user, const char **pass);
/* "credentials": {"username": user, "password": pass}, into g's open map. */
void sv_gen_credentials(yajl_gen g, const char *user, const char *pass);
