/* Calls to corrald, and its errors in Docker's words and statuses: a
 * Docker client decides what to do next by the status (a 404 on create
 * makes the CLI pull the image). */
#include "supervisor/docker/dk.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

#define SV "io.corral.Supervisor."

int dk_call(dk_req *r, const char *method, const char *params, vl_reply *rep)
{
	_cleanup_cerr_ cerr err = { 0 };
	char full[128];
	snprintf(full, sizeof(full), SV "%s", method);
	*rep = (vl_reply){ 0 };
	if (vl_client_call(r->vl, full, params, rep, &err) < 0) {
		dk_error(r, 500, "corrald: %s: %s", method, cerr_msg(&err));
		return -1;
	}
	return rep->error ? -1 : 0;
}

static const char *param(vl_reply *rep, const char *key)
{
	yajl_val v = json_get(rep->params, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

void dk_fail(dk_req *r, vl_reply *rep, const char *subject)
{
	const char *e = rep->error;
	if (!e) { /* the connection failed: dk_call answered */
		vl_reply_release(rep);
		return;
	}
	const char *name = strncmp(e, SV, strlen(SV)) == 0 ? e + strlen(SV) : e;
	const char *reason = param(rep, "reason");
	if (streq(name, "NoSuchContainer"))
		dk_error(r, 404, "No such container: %s", subject);
	else if (streq(name, "NoSuchExec"))
		dk_error(r, 404, "No such exec instance: %s", subject);
	else if (streq(name, "NoSuchImage"))
		dk_error(r, 404, "No such image: %s", subject ? subject : param(rep, "image")); /* NULL: of several */
	else if (streq(name, "NoSuchNetwork"))
		dk_error(r, 404, "network %s not found", param(rep, "name"));
	else if (streq(name, "NameInUse"))
		dk_error(r, 409,
			 "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
			 "remove (or rename) that container to be able to reuse that name.",
			 param(rep, "name"), param(rep, "id"));
	else if (streq(name, "InvalidState"))
		dk_error(r, 409, "%s: %s", subject, *reason ? reason : param(rep, "state"));
	else if (streq(name, "InvalidParameter") || streq(e, VL_ERR_INVALID_PARAMETER))
		dk_error(r, 400, "invalid parameter %s: %s", param(rep, "parameter"), reason);
	else if (streq(name, "PermissionDenied") || streq(e, VL_ERR_PERMISSION_DENIED))
		dk_error(r, 403, "permission denied%s%s", *reason ? ": " : "", reason);
	else if (streq(name, "PolicyViolation"))
		dk_error(r, 403, "policy: %s: %s (%s)", param(rep, "field"), reason, param(rep, "limit"));
	else if (streq(name, "ImagePullFailed") || streq(name, "ImagePushFailed"))
		dk_error(r, 500, "%s %s: %s", streq(name, "ImagePullFailed") ? "pull" : "push", param(rep, "reference"),
			 reason);
	else
		dk_error(r, 500, "%s%s%s", name, *reason ? ": " : "", reason);
	vl_reply_release(rep);
}

yajl_gen dk_params_of(const char *key, const char *value)
{
	yajl_gen g = json_gen_new(false);
	if (g && (yajl_gen_map_open(g) || (value && jg_key_str(g, key, value)))) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

yajl_gen dk_params_id(const char *id) { return dk_params_of("id", id); }

int dk_call_or_fail(dk_req *r, const char *method, const char *params, const char *subject, vl_reply *rep)
{
	if (dk_call(r, method, params, rep) < 0) {
		dk_fail(r, rep, subject);
		return -1;
	}
	return 0;
}

int dk_call_with(dk_req *r, const char *method, yajl_gen p, const char *subject, vl_reply *rep)
{
	_cleanup_free_ char *params = dk_params_end(p);
	return dk_call_or_fail(r, method, params, subject, rep);
}

char *dk_params_text(const char *key, const char *value)
{
	_cleanup_json_gen_ yajl_gen g = dk_params_of(key, value);
	return dk_params_end(g);
}

int dk_call_of(dk_req *r, const char *method, const char *key, const char *value, vl_reply *rep)
{
	_cleanup_free_ char *params = dk_params_text(key, value);
	return dk_call_or_fail(r, method, params, value, rep);
}

yajl_val dk_ctr_record(dk_req *r, const char *id, vl_reply *rep)
{
	if (dk_call_of(r, "Inspect", "id", id, rep) < 0)
		return NULL;
	yajl_val c = json_get(rep->params, "container");
	if (YAJL_IS_OBJECT(c))
		return c;
	vl_reply_release(rep);
	dk_error(r, 500, "corrald: Inspect %s: its reply holds no container", id);
	return NULL;
}

char *dk_params_end(yajl_gen g)
{
	if (!g || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

const char *dk_ctr_name(const char *s)
{
	return s[0] == '/' && s[1] ? s + 1 : s;
}

yajl_val dk_body_json(dk_req *r)
{
	yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(r->body_len ? r->body : "{}", "body", &v, &err) < 0) {
		dk_error(r, 400, "%s", cerr_msg(&err));
		return NULL;
	}
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		dk_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return v;
}
