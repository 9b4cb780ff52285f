/* Which handler serves each rpc (cri.h). An rpc not listed answers
 * UNIMPLEMENTED, naming it. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/runtime_v1.pb-c.h"

static const cri_method runtime_methods[] = {
	{ "Version", rpc_version, false },
	{ "Status", rpc_status, false },
	{ "RuntimeConfig", rpc_runtime_config, false },
	{ "UpdateRuntimeConfig", rpc_update_runtime_config, false },
	{ NULL, NULL, false },
};

static const cri_method image_methods[] = {
	{ NULL, NULL, false },
};

const cri_service cri_services[] = {
	{ "/runtime.v1.RuntimeService/", &runtime__v1__runtime_service__descriptor, runtime_methods },
	{ "/runtime.v1.ImageService/", &runtime__v1__image_service__descriptor, image_methods },
	{ NULL, NULL, NULL },
};
