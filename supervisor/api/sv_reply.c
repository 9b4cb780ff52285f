/* A method's reply of one JSON object, built in place. */
#include "supervisor/api/sv_reply.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/varlink/call.h"
#include "common/json.h"

yajl_gen sv_reply_open(void)
{
	yajl_gen g = json_gen_new(false);
	if (g && yajl_gen_map_open(g) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

int sv_reply_close(vl_call *call, yajl_gen g)
{
	if (!g || yajl_gen_map_close(g) != yajl_gen_status_ok)
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, g);
}
