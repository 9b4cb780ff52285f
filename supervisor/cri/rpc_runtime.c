/* The runtime itself: Version, Status, RuntimeConfig, UpdateRuntimeConfig */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_runtime.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <string.h>

#define CRI_API_VERSION "v1"

void rpc_version(cri_call *c, const ProtobufCMessage *req)
{
	Runtime__V1__VersionResponse r = RUNTIME__V1__VERSION_RESPONSE__INIT;
	/* kubelet reads version as the CRI's API version it speaks */
	r.version = "0.1.0";
	r.runtime_name = "corral";
	r.runtime_version = CORRAL_VERSION;
	r.runtime_api_version = CRI_API_VERSION;
	cri_reply(c, &r.base);
}

/* The runtime is ready when corrald answers. The network is when a pod
 * would get one: corrald's default-network (made on first use) is a CNI
 * network or the host's, not none or loopback alone; else kubelet holds
 * the node NotReady, as containerd's CRI says with no CNI config. */
static void status_done(cri_call *c, vl_reply *rep, void *data)
{
	bool up = rep && !rep->error;
	const char *net_name = up ? json_str(json_get(rep->params, "host"), "defaultNetwork") : NULL;
	Runtime__V1__RuntimeCondition runtime = RUNTIME__V1__RUNTIME_CONDITION__INIT, net = runtime;
	runtime.type = "RuntimeReady";
	runtime.status = up;
	if (!up) {
		runtime.reason = "CorraldUnreachable";
		runtime.message = (char *)(rep && rep->error ? rep->error : "corrald did not answer");
	}
	net.type = "NetworkReady";
	net.status = net_name && *net_name && !streq(net_name, "none") && !streq(net_name, "loopback");
	char why[128];
	if (!up) {
		net.reason = runtime.reason;
		net.message = runtime.message;
	} else if (!net.status) {
		snprintf(why, sizeof(why), "corrald's default-network is %s: a pod would get no network",
			 net_name && *net_name ? net_name : "unset");
		net.reason = "NetworkPluginNotReady";
		net.message = why;
	}
	Runtime__V1__RuntimeCondition *conds[] = { &runtime, &net };
	Runtime__V1__RuntimeStatus st = RUNTIME__V1__RUNTIME_STATUS__INIT;
	st.n_conditions = 2, st.conditions = conds;
	/* one handler, the default (""): corral runs every pod itself */
	Runtime__V1__RuntimeHandlerFeatures feat = RUNTIME__V1__RUNTIME_HANDLER_FEATURES__INIT;
	feat.recursive_read_only_mounts = true;
	feat.user_namespaces = true;
	Runtime__V1__RuntimeHandler h = RUNTIME__V1__RUNTIME_HANDLER__INIT;
	h.name = "";
	h.features = &feat;
	Runtime__V1__RuntimeHandler *hs[] = { &h };
	Runtime__V1__StatusResponse r = RUNTIME__V1__STATUS_RESPONSE__INIT;
	r.status = &st;
	r.n_runtime_handlers = 1, r.runtime_handlers = hs;
	cri_reply(c, &r.base);
}

void rpc_status(cri_call *c, const ProtobufCMessage *req)
{
	cri_corrald(c, "GetInfo", NULL, 0, status_done, NULL);
}

static void config_done(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, NULL);
	yajl_val drv = json_get(json_get(rep->params, "host"), "cgroupManager");
	Runtime__V1__LinuxRuntimeConfiguration linux_cfg = RUNTIME__V1__LINUX_RUNTIME_CONFIGURATION__INIT;
	linux_cfg.cgroup_driver = YAJL_IS_STRING(drv) && streq(drv->u.string, "systemd") ? RUNTIME__V1__CGROUP_DRIVER__SYSTEMD
											 : RUNTIME__V1__CGROUP_DRIVER__CGROUPFS;
	Runtime__V1__RuntimeConfigResponse r = RUNTIME__V1__RUNTIME_CONFIG_RESPONSE__INIT;
	r.linux = &linux_cfg;
	cri_reply(c, &r.base);
}

/* kubelet 1.28+ asks which cgroup driver to use: corrald's own */
void rpc_runtime_config(cri_call *c, const ProtobufCMessage *req)
{
	cri_corrald(c, "GetInfo", NULL, 0, config_done, NULL);
}

/* kubelet gives the node's pod CIDR: corral's pods take their addresses
 * from the CNI network's own IPAM, as CRI-O's and containerd's do with a
 * conflist that names its ranges; the call is accepted and kept nowhere. */
void rpc_update_runtime_config(cri_call *c, const ProtobufCMessage *req)
{
	Runtime__V1__UpdateRuntimeConfigResponse r = RUNTIME__V1__UPDATE_RUNTIME_CONFIG_RESPONSE__INIT;
	cri_reply(c, &r.base);
}
