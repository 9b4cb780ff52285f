/* The daemon's own answers: _ping, version and info. */
#include "supervisor/docker/docker.h"
#include "supervisor/docker/dk.h"
#include "supervisor/docker/docker_system.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__)
#define DK_GOARCH "amd64"
#elif defined(__aarch64__)
#define DK_GOARCH "arm64"
#else
#define DK_GOARCH "unknown"
#endif

void dk_ping(dk_req *r, const char *arg)
{
	dk_text(r, 200, "text/plain; charset=utf-8", "OK", 2);
	if (r->resp) {
		MHD_add_response_header(r->resp, "Builder-Version", "");
		MHD_add_response_header(r->resp, "Cache-Control", "no-cache, no-store, must-revalidate");
	}
}

static const char *info_str(vl_reply *rep, const char *key)
{
	yajl_val v = json_get(rep->params, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

static long long info_int(vl_reply *rep, const char *key)
{
	long long n;
	return json_int_in(json_get(rep->params, key), 0, 1LL << 62, &n) ? n : 0;
}

/* docker plugin ls: corral has no engine plugins (its networks are CNI's,
 * its volumes its own) */
void dk_plugins(dk_req *r, const char *arg) { dk_text(r, 200, "application/json", "[]", 2); }

/* docker search: dockerd asks a registry's v1 search, which the registries
 * corral pulls from (distribution's v2) do not have */
void dk_search(dk_req *r, const char *arg)
{
	dk_error(r, 501, "corral does not search registries: a v2 registry has no search (list a repository's tags "
			 "with its /v2/NAME/tags/list)");
}

void dk_version(dk_req *r, const char *arg)
{
	vl_reply rep;
	if (dk_call_or_fail(r, "GetInfo", NULL, "", &rep) < 0)
		return;
	struct utsname u = { 0 };
	uname(&u);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "Platform");
	jg_object(g, JG_STR("Name", "corral"), JG_END);
	jg_key(g, "Components");
	yajl_gen_array_open(g);
	jg_object(g, JG_STR("Name", "Engine"), JG_STR("Version", info_str(&rep, "version")), JG_OBJECT("Details"),
		     JG_STR("ApiVersion", DOCKER_API_VERSION), JG_STR("MinAPIVersion", DOCKER_API_MIN_VERSION),
		     JG_STR("GitCommit", info_str(&rep, "commit")), JG_STR("Os", "linux"), JG_STR("Arch", DK_GOARCH),
		     JG_STR("KernelVersion", u.release), JG_STR("Experimental", "false"), JG_CLOSE, JG_END);
	yajl_gen_array_close(g);
	jg_key_str(g, "Version", info_str(&rep, "version"));
	jg_key_str(g, "ApiVersion", DOCKER_API_VERSION);
	jg_key_str(g, "MinAPIVersion", DOCKER_API_MIN_VERSION);
	jg_key_str(g, "GitCommit", info_str(&rep, "commit"));
	jg_key_str(g, "GoVersion", "");
	jg_key_str(g, "Os", "linux");
	jg_key_str(g, "Arch", DK_GOARCH);
	jg_key_str(g, "KernelVersion", u.release);
	jg_key_str(g, "BuildTime", "");
	jg_key_bool(g, "Experimental", false);
	yajl_gen_map_close(g);
	vl_reply_release(&rep);
	dk_json(r, 200, g);
}

/* How many containers are paused and stopped: GetInfo counts only all and
 * the running. */
static int count_states(dk_req *r, long long *paused, long long *stopped)
{
	vl_reply rep;
	*paused = *stopped = 0;
	if (dk_call_or_fail(r, "List", "{\"all\":true}", "", &rep) < 0)
		return -1;
	yajl_val list = json_get(rep.params, "containers");
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val s = json_get(json_get(list->u.array.values[i], "state"), "status");
		const char *status = YAJL_IS_STRING(s) ? s->u.string : "";
		if (streq(status, "paused"))
			(*paused)++;
		else if (streq(status, "created") || streq(status, "exited"))
			(*stopped)++;
	}
	vl_reply_release(&rep);
	return 0;
}

/* Does the cgroup2 root offer containers this controller (host.cgroupControllers)? */
static bool has_controller(vl_reply *rep, const char *name)
{
	yajl_val v = json_get(json_get(rep->params, "host"), "cgroupControllers");
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
		if (YAJL_IS_STRING(v->u.array.values[i]) && streq(v->u.array.values[i]->u.string, name))
			return true;
	return false;
}

/* MemoryLimit, CpuCfsQuota and PidsLimit, and dockerd's warning for each
 * the host cannot give: where a figure or a limit is missing, docker info
 * says so, as dockerd's does */
static void gen_limits(yajl_gen g, vl_reply *rep)
{
	static const struct { const char *key, *controller, *warning; } limits[] = {
		{ "MemoryLimit", "memory", "WARNING: No memory limit support" },
		{ "CpuCfsQuota", "cpu", "WARNING: No cpu cfs quota support" },
		{ "PidsLimit", "pids", "WARNING: No pids limit support" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		jg_key_bool(g, limits[i].key, has_controller(rep, limits[i].controller));
	jg_key(g, "Warnings");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		if (!has_controller(rep, limits[i].controller))
			jg_str(g, limits[i].warning);
	yajl_gen_array_close(g);
}

static void gen_empty_map(yajl_gen g, const char *key)
{
	jg_key(g, key);
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
}

void dk_info(dk_req *r, const char *arg)
{
	long long paused, stopped;
	if (count_states(r, &paused, &stopped) < 0)
		return;
	vl_reply rep;
	if (dk_call_or_fail(r, "GetInfo", NULL, "", &rep) < 0)
		return;
	struct utsname u = { 0 };
	uname(&u);
	struct sysinfo si = { 0 };
	sysinfo(&si);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "ID", "");
	jg_key_int(g, "Containers", info_int(&rep, "containers"));
	jg_key_int(g, "ContainersRunning", info_int(&rep, "running") - paused);
	jg_key_int(g, "ContainersPaused", paused);
	jg_key_int(g, "ContainersStopped", stopped);
	jg_key_int(g, "Images", info_int(&rep, "images"));
	jg_key_str(g, "Driver", "overlay");
	jg_key(g, "DriverStatus");
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
	jg_key_str(g, "DockerRootDir", info_str(&rep, "stateDir"));
	jg_key_str(g, "CgroupDriver", "cgroupfs");
	jg_key_str(g, "CgroupVersion", "2");
	jg_key_int(g, "NCPU", sysconf(_SC_NPROCESSORS_ONLN));
	jg_key_int(g, "MemTotal", (long long)si.totalram * si.mem_unit);
	jg_key_str(g, "Name", u.nodename);
	jg_key_str(g, "KernelVersion", u.release);
	jg_key_str(g, "OperatingSystem", "corral");
	jg_key_str(g, "OSType", "linux");
	jg_key_str(g, "Architecture", u.machine);
	jg_key_str(g, "ServerVersion", info_str(&rep, "version"));
	jg_key_str(g, "DefaultRuntime", "corral");
	jg_key(g, "Runtimes");
	jg_object(g, JG_OBJECT("corral"), JG_STR("path", "corral"), JG_CLOSE, JG_END);
	gen_limits(g, &rep);
	jg_key_bool(g, "SwapLimit", false);
	jg_key_bool(g, "OomKillDisable", false);
	jg_key_bool(g, "Debug", false);
	jg_key_bool(g, "ExperimentalBuild", false);
	jg_key_str(g, "LoggingDriver", "json-file"); /* as inspect's LogConfig */
	jg_key(g, "Plugins");
	jg_object(g, JG_STRV("Volume", NULL), JG_STRV("Network", (char *const[]){ "bridge", "host", "none", NULL }),
		     JG_STRV("Log", (char *const[]){ "json-file", NULL }), JG_END);
	jg_key(g, "RegistryConfig");
	yajl_gen_map_open(g);
	gen_empty_map(g, "IndexConfigs");
	jg_key_strv(g, "InsecureRegistryCIDRs", NULL);
	jg_key_strv(g, "Mirrors", NULL);
	yajl_gen_map_close(g);
	jg_key(g, "Swarm");
	jg_object(g, JG_STR("LocalNodeState", "inactive"), JG_STR("NodeID", ""), JG_STR("NodeAddr", ""),
		     JG_BOOL("ControlAvailable", false), JG_STR("Error", ""), JG_END);
	jg_key_strv(g, "SecurityOptions", (char *const[]){ "name=seccomp,profile=default", "name=cgroupns", NULL });
	yajl_gen_map_close(g);
	vl_reply_release(&rep);
	dk_json(r, 200, g);
}
