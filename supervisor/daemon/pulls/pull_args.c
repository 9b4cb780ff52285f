/* What corral-images is given for a pull or a push: its arguments, the
 * registry settings of corrald.conf, and the peer's credentials. */
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pull_arg(char ***v, const char *a, const char *b)
{
	char *x = strdup(a), *y = b ? strdup(b) : NULL;
	if (!x || (b && !y) || strv_push(v, x) < 0 || (y && strv_push(v, y) < 0)) {
		free(x);
		free(y);
		return -ENOMEM;
	}
	return 0;
}

int pull_registry_args(corrald *d, char ***args)
{
	const corrald_config *c = d->cfg;
	const reg_conf *rc = &c->registries;
	char stall[16];
	snprintf(stall, sizeof(stall), "%zu", c->registry_stall_timeout);
	int bad = pull_arg(args, "--certs-dir", c->registry_certs_dir) || pull_arg(args, "--stall-timeout", stall);
	for (char **s = rc->insecure; !bad && s && *s; s++)
		bad = pull_arg(args, "--insecure-registry", *s);
	for (char **s = rc->blocked; !bad && s && *s; s++)
		bad = pull_arg(args, "--blocked-registry", *s);
	return bad ? -ENOMEM : 0;
}

int pull_auth_of(corrald *d, const peer_cred *peer, const char *extra, char **out, cerr *err)
{
	_cleanup_free_ char *logins = NULL;
	int r = secrets_login_auth_json(d, peer->uid, &logins, err);
	if (r < 0)
		return r;
	if (!extra) {
		*out = TAKE_PTR(logins);
		return 0;
	}
	yajl_val *docs = calloc(2, sizeof(*docs));
	_cleanup_cerr_ cerr perr = { 0 }; /* never shown: yajl's message may quote a value */
	if (!docs)
		r = cerr_set(err, ENOMEM, "out of memory");
	else if (json_parse(extra, NULL, &docs[0], &perr) < 0 || !YAJL_IS_OBJECT(json_get(docs[0], "auths")))
		r = cerr_set(err, EINVAL, "imagePullSecrets: not a dockerconfigjson ({\"auths\": {...}})");
	else if (json_parse(logins, NULL, &docs[1], &perr) < 0 || !YAJL_IS_OBJECT(json_get(docs[1], "auths")))
		r = cerr_set(err, EINVAL, "logins: unreadable");
	else
		r = pull_merge_auths(docs, 2, out, err);
	if (r == 0 && !*out && !(*out = strdup("{}")))
		r = cerr_set(err, ENOMEM, "out of memory");
	if (docs)
		pull_free_auths(docs, 2);
	explicit_bzero(logins, strlen(logins));
	return r;
}
