/* A caller's credentials, as ImagePull and ImagePush take them. */
#include "supervisor/api/sv_credentials.h"
#include "common/json.h"
#include "common/json_build.h"

#include <resolv.h>
#include <string.h>

bool sv_auth_split(const char *auth, unsigned char *pair, size_t max, const char **user, const char **pass)
{
	long n = b64_pton(auth, pair, max);
	char *colon = n >= 0 ? (pair[n] = '\0', strchr((char *)pair, ':')) : NULL;
	if (!colon)
		return false;
	*colon = '\0';
	*user = (const char *)pair, *pass = colon + 1;
	return true;
}

void sv_gen_credentials(yajl_gen g, const char *user, const char *pass)
{
	jg_key(g, "credentials");
	jg_object(g, JG_STR("username", user), JG_STR("password", pass), JG_END);
}
