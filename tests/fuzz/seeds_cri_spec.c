/* Seed corpus for fuzz_cri_spec: kubelet's pod and container configs, a
 * plain one and one that sets every field ctr_spec_gen.c reads (command
 * and args, env, mounts with propagation and recursive read-only, devices,
 * labels, the security context's capabilities, users, namespaces, seccomp
 * and AppArmor, resources and the pod's DNS, cgroup parent and sysctls),
 * for root and for a member. Usage: seeds_cri_spec DIR */
#include <stdio.h>
#include <stdlib.h>

#include "supervisor/cri/runtime_v1.pb-c.h"
#include "fuzz_seeds.h"

typedef Runtime__V1__PodSandboxConfig pod_config;
typedef Runtime__V1__ContainerConfig ctr_config;

static int write_seed(const char *dir, const char *name, uint8_t pick, const pod_config *pod,
		      const Runtime__V1__CreateContainerRequest *req)
{
	size_t pn = protobuf_c_message_get_packed_size(&pod->base);
	size_t rn = protobuf_c_message_get_packed_size(&req->base);
	uint8_t *buf = malloc(3 + pn + rn);
	if (!buf || pn > 0xffff)
		return -1;
	buf[0] = pick, buf[1] = (uint8_t)(pn >> 8), buf[2] = (uint8_t)pn;
	protobuf_c_message_pack(&pod->base, buf + 3);
	protobuf_c_message_pack(&req->base, buf + 3 + pn);
	int r = seed_put(dir, name, buf, 3 + pn + rn);
	free(buf);
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	Runtime__V1__PodSandboxMetadata pmeta = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
	pmeta.name = "web", pmeta.uid = "web-uid", pmeta.namespace_ = "default";
	Runtime__V1__DNSConfig dns = RUNTIME__V1__DNSCONFIG__INIT;
	char *servers[] = { "10.96.0.10" }, *searches[] = { "default.svc.cluster.local" }, *options[] = { "ndots:5" };
	dns.n_servers = 1, dns.servers = servers, dns.n_searches = 1, dns.searches = searches;
	dns.n_options = 1, dns.options = options;
	Runtime__V1__LinuxPodSandboxConfig__SysctlsEntry sysctl = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__SYSCTLS_ENTRY__INIT;
	sysctl.key = "net.ipv4.ip_unprivileged_port_start", sysctl.value = "0";
	Runtime__V1__LinuxPodSandboxConfig__SysctlsEntry *sysctls[] = { &sysctl };
	Runtime__V1__NamespaceOption pns = RUNTIME__V1__NAMESPACE_OPTION__INIT;
	pns.pid = RUNTIME__V1__NAMESPACE_MODE__POD;
	Runtime__V1__LinuxSandboxSecurityContext psc = RUNTIME__V1__LINUX_SANDBOX_SECURITY_CONTEXT__INIT;
	psc.namespace_options = &pns;
	Runtime__V1__LinuxPodSandboxConfig plx = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT;
	plx.cgroup_parent = "/kubepods/pod-web", plx.n_sysctls = 1, plx.sysctls = sysctls, plx.security_context = &psc;
	pod_config pod = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
	pod.metadata = &pmeta, pod.hostname = "web", pod.log_directory = "/var/log/pods/web";
	pod.dns_config = &dns, pod.linux = &plx;

	Runtime__V1__ContainerMetadata meta = RUNTIME__V1__CONTAINER_METADATA__INIT;
	meta.name = "server";
	Runtime__V1__ImageSpec image = RUNTIME__V1__IMAGE_SPEC__INIT;
	image.image = "busybox:latest";
	ctr_config plain = RUNTIME__V1__CONTAINER_CONFIG__INIT;
	plain.metadata = &meta, plain.image = &image;
	Runtime__V1__CreateContainerRequest req = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
	req.pod_sandbox_id = "0123456789abcdef", req.config = &plain, req.sandbox_config = &pod;
	if (write_seed(argv[1], "plain-root", 1, &pod, &req) < 0 || write_seed(argv[1], "plain-member", 0, &pod, &req) < 0)
		return 1;

	char *command[] = { "sh", "-c" }, *args[] = { "sleep 100000" };
	Runtime__V1__KeyValue env = RUNTIME__V1__KEY_VALUE__INIT;
	env.key = "A", env.value = "b";
	Runtime__V1__KeyValue *envs[] = { &env };
	Runtime__V1__Mount m1 = RUNTIME__V1__MOUNT__INIT, m2 = RUNTIME__V1__MOUNT__INIT;
	m1.container_path = "/data", m1.host_path = "/srv/data", m1.readonly = 1, m1.recursive_read_only = 1;
	m2.container_path = "/shared", m2.host_path = "/srv/shared";
	m2.propagation = RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL;
	Runtime__V1__Mount *mounts[] = { &m1, &m2 };
	Runtime__V1__Device dev = RUNTIME__V1__DEVICE__INIT;
	dev.container_path = "/dev/fuse", dev.host_path = "/dev/fuse", dev.permissions = "rwm";
	Runtime__V1__Device *devices[] = { &dev };
	Runtime__V1__ContainerConfig__LabelsEntry label = RUNTIME__V1__CONTAINER_CONFIG__LABELS_ENTRY__INIT;
	label.key = "app", label.value = "web";
	Runtime__V1__ContainerConfig__LabelsEntry *labels[] = { &label };
	char *add[] = { "NET_ADMIN" }, *drop[] = { "ALL" };
	Runtime__V1__Capability caps = RUNTIME__V1__CAPABILITY__INIT;
	caps.n_add_capabilities = 1, caps.add_capabilities = add, caps.n_drop_capabilities = 1;
	caps.drop_capabilities = drop;
	Runtime__V1__Int64Value uid = RUNTIME__V1__INT64_VALUE__INIT, gid = RUNTIME__V1__INT64_VALUE__INIT;
	uid.value = 1000, gid.value = 1000;
	int64_t groups[] = { 5, 6 };
	Runtime__V1__NamespaceOption ns = RUNTIME__V1__NAMESPACE_OPTION__INIT;
	ns.pid = RUNTIME__V1__NAMESPACE_MODE__CONTAINER, ns.ipc = RUNTIME__V1__NAMESPACE_MODE__POD;
	Runtime__V1__SecurityProfile seccomp = RUNTIME__V1__SECURITY_PROFILE__INIT;
	seccomp.profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault;
	Runtime__V1__SecurityProfile apparmor = RUNTIME__V1__SECURITY_PROFILE__INIT;
	apparmor.profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost;
	apparmor.localhost_ref = "corral-default";
	char *masked[] = { "/proc/kcore" }, *ro[] = { "/proc/sys" };
	Runtime__V1__LinuxContainerSecurityContext sc = RUNTIME__V1__LINUX_CONTAINER_SECURITY_CONTEXT__INIT;
	sc.capabilities = &caps, sc.run_as_user = &uid, sc.run_as_group = &gid, sc.readonly_rootfs = 1;
	sc.n_supplemental_groups = 2, sc.supplemental_groups = groups, sc.no_new_privs = 1;
	sc.namespace_options = &ns, sc.seccomp = &seccomp, sc.apparmor = &apparmor;
	sc.n_masked_paths = 1, sc.masked_paths = masked, sc.n_readonly_paths = 1, sc.readonly_paths = ro;
	Runtime__V1__LinuxContainerResources__UnifiedEntry unified = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__UNIFIED_ENTRY__INIT;
	unified.key = "memory.high", unified.value = "64M";
	Runtime__V1__LinuxContainerResources__UnifiedEntry *unifieds[] = { &unified };
	Runtime__V1__LinuxContainerResources res = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__INIT;
	res.cpu_period = 100000, res.cpu_quota = 50000, res.cpu_shares = 512, res.memory_limit_in_bytes = 128 << 20;
	res.oom_score_adj = 500, res.cpuset_cpus = "0", res.n_unified = 1, res.unified = unifieds;
	Runtime__V1__LinuxContainerConfig lx = RUNTIME__V1__LINUX_CONTAINER_CONFIG__INIT;
	lx.resources = &res, lx.security_context = &sc;
	ctr_config full = RUNTIME__V1__CONTAINER_CONFIG__INIT;
	full.metadata = &meta, full.image = &image, full.n_command = 2, full.command = command;
	full.n_args = 1, full.args = args, full.working_dir = "/srv", full.n_envs = 1, full.envs = envs;
	full.n_mounts = 2, full.mounts = mounts, full.n_devices = 1, full.devices = devices;
	full.n_labels = 1, full.labels = labels, full.log_path = "server/0.log", full.stdin = 1, full.tty = 1;
	full.linux = &lx;
	req.config = &full;
	return write_seed(argv[1], "full-root", 1, &pod, &req) < 0 || write_seed(argv[1], "full-member", 0, &pod, &req) < 0
		       ? 1
		       : 0;
}
