/* BuildCacheGet and BuildCachePrune: the peer's own layer cache
 * (build_cache.h). */
#include "supervisor/daemon/build/commit_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/build/cache_methods.h"
#include "supervisor/daemon/store/build_cache.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/cleanup.h"
#include "common/json.h"

int sv_build_cache_get(vl_call *call, yajl_val params, void *ud)
{
	const char *key;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_STR("key", true, &key)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (!digest_valid(key))
		return sv_invalid(call, "key", "must be sha256:<64 hex digits>");
	char manifest[DIGEST_STR_LEN];
	if (!build_cache_get(ud, vl_call_peer(call), key, manifest))
		return vl_call_reply(call, "{}");
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key_str(g, "manifestDigest", manifest);
	return sv_reply_close(call, g);
}

int sv_build_cache_prune(vl_call *call, yajl_val params, void *ud)
{
	SV_NO_PARAMS(call, params);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key_int(g, "removed", (long long)build_cache_clear(ud, vl_call_peer(call)));
	return sv_reply_close(call, g);
}
