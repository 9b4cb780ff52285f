/* libFuzzer target: a CRI CreateContainer's config, as a client of the CRI
 * socket sends it, and the pod's config it stored at RunPodSandbox
 * (protobuf, unpacked by protobuf-c), made into corrald's ContainerSpec
 * (supervisor/cri/ctr_spec_gen.c). The input: a byte whose low bit says
 * whether the peer is root, the pod config's length (2 bytes, big-endian),
 * the PodSandboxConfig, then the CreateContainerRequest. The spec made is
 * a JSON object (UTF-8 as corrald reads it) whose name corrald takes (at
 * most 128 bytes) and whose session is the pod's; a refusal names its
 * field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/cri/ctr_spec_gen.h"
#include "supervisor/cri/pb_utf8.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POD_ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(const char *params)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(params, "params", &v, &err) < 0 || !YAJL_IS_OBJECT(v))
		abort();
	yajl_val cspec = json_get(v, "spec");
	const char *name = json_str(cspec, "name"), *session = json_str(cspec, "session");
	if (!name || strlen(name) > 128 || !session || strcmp(session, POD_ID))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	bool root = data[0] & 1;
	size_t pod_len = (size_t)data[1] << 8 | data[2];
	if (3 + pod_len > size)
		return 0;
	Runtime__V1__PodSandboxConfig *pod = runtime__v1__pod_sandbox_config__unpack(NULL, pod_len, data + 3);
	Runtime__V1__CreateContainerRequest *req =
		runtime__v1__create_container_request__unpack(NULL, size - 3 - pod_len, data + 3 + pod_len);
	const Runtime__V1__ContainerConfig *cfg = req ? req->config : NULL;
	/* what call_unpack and rpc_create_container check before it is made
	 * (the pod's config was checked so at its RunPodSandbox) */
	char where[256];
	if (pod && cfg && pb_strings_utf8(&pod->base, where, sizeof(where)) &&
	    pb_strings_utf8(&req->base, where, sizeof(where)) && cfg->metadata && *cfg->metadata->name && cfg->image &&
	    *cfg->image->image) {
		cri_refusal refused;
		char *params = cri_ctr_spec(POD_ID, cfg, pod, root, &refused);
		if (params)
			check(params);
		else if (refused.field && !*refused.field)
			abort();
		free(params);
	}
	if (pod)
		protobuf_c_message_free_unpacked(&pod->base, NULL);
	if (req)
		protobuf_c_message_free_unpacked(&req->base, NULL);
	return 0;
}
