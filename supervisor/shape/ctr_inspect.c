/* A corral Container as Docker's container inspect: the spec it was made
 * with, the image's run defaults it did not replace (Docker shows the
 * config in effect: the whole environment, the image's Cmd), its state. */
#include "supervisor/shape/shape.h"
#include "supervisor/shape/ctr_inspect.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DK_ZERO_TIME "0001-01-01T00:00:00Z"

static void gen_time(yajl_gen g, const char *key, const char *t)
{
	jg_key_str(g, key, *t ? t : DK_ZERO_TIME);
}

static void gen_health(yajl_gen g, yajl_val h)
{
	jg_key(g, "Health");
	yajl_gen_map_open(g);
	jg_key_str(g, "Status", dk_str(h, "status"));
	jg_key_int(g, "FailingStreak", dk_int(h, "failingStreak", 0));
	jg_key(g, "Log");
	yajl_gen_array_open(g);
	yajl_val log = json_get(h, "log");
	for (size_t i = 0; YAJL_IS_ARRAY(log) && i < log->u.array.len; i++) {
		yajl_val e = log->u.array.values[i];
		jg_object(g, JG_STR("Start", dk_str(e, "start")), JG_STR("End", dk_str(e, "end")),
			     JG_INT("ExitCode", dk_int(e, "exitCode", -1)), JG_STR("Output", dk_str(e, "output")),
			     JG_END);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/* Docker's exit code for a start that failed before any exit: 127 for a
 * command not found, 126 for one that may not run, else 128 */
static long long failed_start_code(const char *why)
{
	if (strstr(why, "executable file not found") || strstr(why, "No such file or directory") ||
	    strstr(why, "no such file or directory"))
		return 127;
	return strstr(why, "ermission denied") || strstr(why, "xec format error") ? 126 : 128;
}

static void gen_state(yajl_gen g, yajl_val st)
{
	const char *s = dk_str(st, "status");
	jg_key(g, "State");
	yajl_gen_map_open(g);
	jg_key_str(g, "Status", s);
	jg_key_bool(g, "Running", streq(s, "running") || streq(s, "paused"));
	jg_key_bool(g, "Paused", streq(s, "paused"));
	jg_key_bool(g, "Restarting", streq(s, "restarting"));
	jg_key_bool(g, "OOMKilled", dk_bool(st, "oomKilled"));
	jg_key_bool(g, "Dead", false);
	jg_key_int(g, "Pid", dk_int(st, "pid", 0));
	const char *failed = dk_str(st, "startError");
	bool ended = YAJL_IS_INTEGER(json_get(st, "exitCode"));
	jg_key_int(g, "ExitCode", ended || !*failed ? dk_int(st, "exitCode", 0) : failed_start_code(failed));
	jg_key_str(g, "Error", failed);
	gen_time(g, "StartedAt", dk_str(st, "startedAt"));
	gen_time(g, "FinishedAt", dk_str(st, "finishedAt"));
	if (json_get(st, "health"))
		gen_health(g, json_get(st, "health"));
	yajl_gen_map_close(g);
}

/* The environment in effect, in dockerd's order: the spec's, then each
 * of the image's whose KEY the spec does not set. */
static void gen_env(yajl_gen g, yajl_val img_env, yajl_val env)
{
	jg_key(g, "Env");
	yajl_gen_array_open(g);
	for (size_t k = 0; YAJL_IS_ARRAY(env) && k < env->u.array.len; k++)
		if (YAJL_IS_STRING(env->u.array.values[k]))
			jg_str(g, env->u.array.values[k]->u.string);
	for (size_t i = 0; YAJL_IS_ARRAY(img_env) && i < img_env->u.array.len; i++) {
		const char *e = YAJL_IS_STRING(img_env->u.array.values[i]) ? img_env->u.array.values[i]->u.string : NULL;
		if (!e)
			continue;
		size_t klen = strcspn(e, "=");
		bool replaced = false;
		for (size_t k = 0; YAJL_IS_ARRAY(env) && k < env->u.array.len && !replaced; k++) {
			yajl_val v = env->u.array.values[k];
			replaced = YAJL_IS_STRING(v) && strncmp(v->u.string, e, klen) == 0 &&
				   (v->u.string[klen] == '=' || v->u.string[klen] == '\0');
		}
		if (!replaced)
			jg_str(g, e);
	}
	yajl_gen_array_close(g);
}

static void gen_config(yajl_gen g, yajl_val c, yajl_val cspec_json, yajl_val img)
{
	yajl_val ep = json_get(cspec_json, "entrypoint"), cmd = json_get(cspec_json, "command");
	if (!ep) /* the image's entrypoint, and its Cmd unless the spec gave one */
		ep = json_get(img, "entrypoint"), cmd = cmd ? cmd : json_get(img, "cmd");
	const char *wd = dk_str(cspec_json, "workdir"), *user = dk_str(cspec_json, "user"), *stop = dk_str(cspec_json, "stopSignal");
	jg_key(g, "Config");
	yajl_gen_map_open(g);
	jg_key_str(g, "Hostname", *dk_str(cspec_json, "hostname") ? dk_str(cspec_json, "hostname") : dk_str(c, "name"));
	jg_key_str(g, "Domainname", dk_str(cspec_json, "domainname"));
	jg_key_str(g, "User", *user ? user : dk_str(img, "user"));
	jg_key_bool(g, "AttachStdin", false);
	jg_key_bool(g, "AttachStdout", false);
	jg_key_bool(g, "AttachStderr", false);
	jg_key_bool(g, "Tty", dk_bool(cspec_json, "tty"));
	jg_key_bool(g, "OpenStdin", dk_bool(cspec_json, "interactive"));
	jg_key_bool(g, "StdinOnce", dk_bool(cspec_json, "stdinOnce"));
	gen_env(g, json_get(img, "env"), json_get(cspec_json, "env"));
	dk_gen_strings(g, "Cmd", cmd, true);
	dk_gen_strings(g, "Entrypoint", ep, true);
	jg_key_str(g, "Image", dk_familiar(dk_str(cspec_json, "image")));
	jg_key(g, "Volumes");
	yajl_gen_null(g);
	jg_key_str(g, "WorkingDir", *wd ? wd : dk_str(img, "workingDir"));
	dk_gen_object(g, "Labels", json_get(c, "labels"));
	jg_key_str(g, "StopSignal", *stop ? stop : *dk_str(img, "stopSignal") ? dk_str(img, "stopSignal") : "SIGTERM");
	if (json_get(cspec_json, "stopTimeout"))
		jg_key_int(g, "StopTimeout", dk_int(cspec_json, "stopTimeout", 10));
	yajl_gen_map_close(g);
}

static void gen_restart_policy(yajl_gen g, const char *restart)
{
	char name[32];
	const char *colon = strchr(restart, ':');
	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - restart) : (int)strlen(restart), restart);
	jg_key(g, "RestartPolicy");
	jg_object(g, JG_STR("Name", *name ? name : "no"),
		     JG_INT("MaximumRetryCount", colon ? strtoll(colon + 1, NULL, 10) : 0), JG_END);
}

static void gen_binds(yajl_gen g, yajl_val mounts)
{
	jg_key(g, "Binds");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(mounts) && i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		char b[8192];
		snprintf(b, sizeof(b), "%s:%s%s", dk_str(m, "source"), dk_str(m, "destination"),
			 dk_bool(m, "readonly") ? ":ro" : "");
		jg_str(g, b);
	}
	yajl_gen_array_close(g);
}

/* {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}, as both HostConfig's
 * PortBindings (as asked) and NetworkSettings' Ports (as bound: every
 * address is 0.0.0.0) say them. */
static void gen_port_map(yajl_gen g, const char *key, yajl_val ports, bool bound)
{
	jg_key(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(ports) && i < ports->u.array.len; i++) {
		yajl_val p = ports->u.array.values[i];
		char k[32], hp[16];
		const char *proto = dk_str(p, "protocol");
		snprintf(k, sizeof(k), "%lld/%s", dk_int(p, "containerPort", 0), *proto ? proto : "tcp");
		snprintf(hp, sizeof(hp), "%lld", dk_int(p, "hostPort", 0));
		jg_key(g, k);
		yajl_gen_array_open(g);
		jg_object(g, JG_STR("HostIp", bound && !*dk_str(p, "hostIP") ? "0.0.0.0" : dk_str(p, "hostIP")),
			     JG_STR("HostPort", hp), JG_END);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

/* Ulimits: [{Name, Soft, Hard}] */
static void gen_ulimits(yajl_gen g, yajl_val ulimits)
{
	jg_key(g, "Ulimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(ulimits) && i < ulimits->u.array.len; i++) {
		yajl_val u = ulimits->u.array.values[i];
		jg_object(g, JG_STR("Name", dk_str(u, "name")), JG_INT("Soft", dk_int(u, "soft", 0)),
			  JG_INT("Hard", dk_int(u, "hard", 0)), JG_END);
	}
	yajl_gen_array_close(g);
}

/* GroupAdd: the group ids, as strings, then the names */
static void gen_group_add(yajl_gen g, yajl_val groups, yajl_val names)
{
	jg_key(g, "GroupAdd");
	if (!YAJL_IS_ARRAY(groups) && !YAJL_IS_ARRAY(names)) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(groups) && i < groups->u.array.len; i++) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", YAJL_IS_INTEGER(groups->u.array.values[i]) ?
			 YAJL_GET_INTEGER(groups->u.array.values[i]) : -1);
		jg_str(g, id);
	}
	for (size_t i = 0; YAJL_IS_ARRAY(names) && i < names->u.array.len; i++)
		if (YAJL_IS_STRING(names->u.array.values[i]))
			jg_str(g, names->u.array.values[i]->u.string);
	yajl_gen_array_close(g);
}

/* What docker run's --cpu-shares, --cpuset-*, --oom-score-adj, --shm-size,
 * --ulimit, --sysctl, --group-add, --pid, --ipc, --uts, --cgroupns and
 * --dns-* asked */
static void gen_host_tuning(yajl_gen g, yajl_val cspec_json)
{
	yajl_val res = json_get(cspec_json, "resources");
	jg_key_int(g, "CpuShares", dk_int(res, "cpuShares", 0));
	jg_key_str(g, "CpusetCpus", dk_str(res, "cpusetCpus"));
	jg_key_str(g, "CpusetMems", dk_str(res, "cpusetMems"));
	jg_key_int(g, "OomScoreAdj", dk_int(res, "oomScoreAdj", 0));
	jg_key_int(g, "ShmSize", dk_int(cspec_json, "shmSize", 64ll << 20));
	gen_ulimits(g, json_get(cspec_json, "ulimits"));
	dk_gen_object(g, "Sysctls", json_get(cspec_json, "sysctls"));
	gen_group_add(g, json_get(cspec_json, "groups"), json_get(cspec_json, "groupNames"));
	jg_key_str(g, "PidMode", streq(dk_str(cspec_json, "pidNamespace"), "private") ? "" : dk_str(cspec_json, "pidNamespace"));
	jg_key_str(g, "IpcMode", *dk_str(cspec_json, "ipcNamespace") ? dk_str(cspec_json, "ipcNamespace") : "private");
	jg_key_str(g, "UTSMode", streq(dk_str(cspec_json, "utsNamespace"), "host") ? "host" : "");
	jg_key_str(g, "CgroupnsMode", streq(dk_str(cspec_json, "cgroupNamespace"), "host") ? "host" : "private");
	dk_gen_strings(g, "DnsSearch", json_get(cspec_json, "dnsSearch"), false);
	dk_gen_strings(g, "DnsOptions", json_get(cspec_json, "dnsOptions"), false);
}

static void gen_host_config(yajl_gen g, yajl_val c, yajl_val cspec_json)
{
	yajl_val res = json_get(cspec_json, "resources");
	yajl_val cpus = json_get(res, "cpus");
	jg_key(g, "HostConfig");
	yajl_gen_map_open(g);
	gen_binds(g, json_get(cspec_json, "mounts"));
	char mode[128];
	jg_key_str(g, "NetworkMode", dk_network_mode(c, mode, sizeof(mode)));
	gen_port_map(g, "PortBindings", json_get(c, "ports"), false);
	gen_restart_policy(g, dk_str(cspec_json, "restart"));
	jg_key_bool(g, "AutoRemove", dk_bool(cspec_json, "autoRemove"));
	jg_key_bool(g, "Privileged", dk_bool(cspec_json, "privileged"));
	jg_key_bool(g, "ReadonlyRootfs", dk_bool(cspec_json, "readOnly"));
	jg_key_bool(g, "Init", dk_bool(cspec_json, "init"));
	dk_gen_strings(g, "CapAdd", json_get(cspec_json, "capAdd"), true);
	dk_gen_strings(g, "CapDrop", json_get(cspec_json, "capDrop"), true);
	dk_gen_strings(g, "Dns", json_get(cspec_json, "dns"), false);
	dk_gen_strings(g, "ExtraHosts", json_get(cspec_json, "extraHosts"), true);
	jg_key_int(g, "Memory", dk_int(res, "memory", 0));
	jg_key_int(g, "MemorySwap", dk_int(res, "memorySwap", 0));
	jg_key_int(g, "MemoryReservation", dk_int(res, "memoryReservation", 0));
	jg_key_int(g, "NanoCpus", YAJL_IS_NUMBER(cpus) ? (long long)(YAJL_GET_DOUBLE(cpus) * 1e9) : 0);
	if (json_get(res, "pids"))
		jg_key_int(g, "PidsLimit", dk_int(res, "pids", 0));
	gen_host_tuning(g, cspec_json);
	jg_key_str(g, "Runtime", "corral");
	/* clients read logs only from drivers they know (docker-py's run, from
	 * json-file's); corral's logs answer as json-file's do */
	jg_key(g, "LogConfig");
	yajl_gen_map_open(g);
	jg_key_str(g, "Type", "json-file");
	jg_key(g, "Config");
	yajl_gen_map_open(g);
	if (dk_int(cspec_json, "logMaxSize", 0) > 0) { /* in bytes, however it was said */
		char n[32];
		snprintf(n, sizeof(n), "%lld", dk_int(cspec_json, "logMaxSize", 0));
		jg_key_str(g, "max-size", n);
		snprintf(n, sizeof(n), "%lld", dk_int(cspec_json, "logMaxFiles", 1));
		jg_key_str(g, "max-file", n);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_network_settings(yajl_gen g, yajl_val c)
{
	yajl_val nets = json_get(c, "networks");
	yajl_val first = YAJL_IS_OBJECT(nets) && nets->u.object.len ? nets->u.object.values[0] : NULL;
	char ip[64];
	long long prefix = dk_address(first, ip, sizeof(ip));
	jg_key(g, "NetworkSettings");
	yajl_gen_map_open(g);
	jg_key_str(g, "Bridge", "");
	jg_key_str(g, "SandboxID", "");
	jg_key_bool(g, "HairpinMode", false);
	gen_port_map(g, "Ports", json_get(c, "ports"), true);
	jg_key_str(g, "IPAddress", ip);
	jg_key_int(g, "IPPrefixLen", prefix);
	jg_key_str(g, "Gateway", dk_str(first, "gateway"));
	jg_key_str(g, "MacAddress", dk_str(first, "macAddress"));
	dk_gen_networks(g, nets);
	yajl_gen_map_close(g);
}

void dk_gen_ctr_inspect_keys(yajl_gen g, yajl_val c, yajl_val img, dk_dialect as, uid_t viewer)
{
	yajl_val cspec_json = json_get(c, "config"), argv = json_get(c, "command");
	char name[512];
	size_t slash = as == DK_AS_DOCKER;
	name[0] = '/';
	dk_owned_name(c, viewer, name + slash, sizeof(name) - slash);
	jg_key_str(g, "Id", dk_str(c, "id"));
	jg_key_str(g, "Created", dk_str(c, "created"));
	bool has_argv = YAJL_IS_ARRAY(argv) && argv->u.array.len && YAJL_IS_STRING(argv->u.array.values[0]);
	jg_key_str(g, "Path", has_argv ? argv->u.array.values[0]->u.string : "");
	jg_key(g, "Args");
	yajl_gen_array_open(g);
	for (size_t i = 1; has_argv && i < argv->u.array.len; i++)
		if (YAJL_IS_STRING(argv->u.array.values[i]))
			jg_str(g, argv->u.array.values[i]->u.string);
	yajl_gen_array_close(g);
	gen_state(g, json_get(c, "state"));
	jg_key_str(g, "Image", dk_str(c, "imageDigest"));
	if (as == DK_AS_PODMAN)
		jg_key_str(g, "ImageName", dk_str(c, "image"));
	jg_key_str(g, "ResolvConfPath", "");
	jg_key_str(g, "HostnamePath", "");
	jg_key_str(g, "HostsPath", "");
	jg_key_str(g, "LogPath", "");
	jg_key_str(g, "Name", name);
	jg_key_int(g, "RestartCount", dk_int(json_get(c, "state"), "restartCount", 0));
	jg_key_str(g, "Driver", "overlay");
	jg_key_str(g, "Platform", "linux");
	jg_key_str(g, "MountLabel", "");
	jg_key_str(g, "ProcessLabel", "");
	jg_key_str(g, "AppArmorProfile", dk_str(cspec_json, "apparmorProfile"));
	jg_key(g, "ExecIDs");
	yajl_gen_null(g);
	gen_host_config(g, c, cspec_json);
	jg_key(g, "GraphDriver");
	yajl_gen_map_open(g);
	jg_key_str(g, "Name", "overlay");
	dk_gen_object(g, "Data", NULL);
	yajl_gen_map_close(g);
	dk_gen_mounts(g, c, viewer);
	gen_config(g, c, cspec_json, img);
	gen_network_settings(g, c);
}

void dk_gen_ctr_inspect(yajl_gen g, yajl_val c, yajl_val image, dk_dialect as, uid_t viewer)
{
	yajl_gen_map_open(g);
	dk_gen_ctr_inspect_keys(g, c, json_get(image, "config"), as, viewer);
	if (json_get(c, "sizeRw"))
		dk_gen_ctr_sizes(g, c, image);
	yajl_gen_map_close(g);
}
