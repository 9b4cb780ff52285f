/* corrald's methods as the build calls them (bld.h): over its varlink
 * socket, as the caller, whose identity corrald reads from the socket. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_call.h"
#include "supervisor/api/interface.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/local_call.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int bld_connect(bld *b, vl_client **out, cerr *err)
{
	return vl_client_connect(b->socket_path, out, err);
}

int bld_call_failed(const char *method, const vl_reply *rep, cerr *err)
{
	_cleanup_free_ char *text = vl_local_error_text(method, rep->error, rep->params);
	int code = streq(rep->error, CORRAL_SUPERVISOR_INTERFACE ".NoSuchImage") ? ENOENT : EINVAL;
	return cerr_set(err, code, "%s", text ? text : "out of memory");
}

int bld_call(bld *b, const char *method, const char *params, vl_reply *rep, cerr *err)
{
	char full[96];
	snprintf(full, sizeof(full), CORRAL_SUPERVISOR_INTERFACE ".%s", method);
	*rep = (vl_reply){ 0 };
	if (vl_client_call(b->vl, full, params, rep, err) < 0)
		return cerr_wrap(err, "corrald: %s", method);
	if (rep->error) {
		int r = bld_call_failed(method, rep, err);
		vl_reply_release(rep);
		return r;
	}
	return 0;
}

char *bld_params_of(const char *key, const char *value)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR(key, value), JG_END);
	return jg_finish(g, NULL);
}

void bld_remove(bld *b, const char *id)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	/* with the anonymous volumes its image's VOLUMEs made for it */
	jg_object(g, JG_STR("id", id), JG_BOOL("force", true), JG_BOOL("volumes", true), JG_END);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	_cleanup_cerr_ cerr err = { 0 };
	vl_reply rep;
	if (p && bld_call(b, "Remove", p, &rep, &err) == 0)
		vl_reply_release(&rep);
}

