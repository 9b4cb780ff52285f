#include "supervisor/daemon/host/host_info.h"
#include "supervisor/daemon/core/corrald.h"
#include "images/overlay_probe.h"
#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* PRETTY_NAME of os-release, unquoted */
static void os_name(char *buf, size_t n)
{
	_cleanup_free_ char *text = NULL;
	snprintf(buf, n, "Linux");
	if (read_file("/etc/os-release", 64 * 1024, &text, NULL, NULL) < 0)
		return;
	const char *p = strstr(text, "PRETTY_NAME=");
	if (p && (p == text || p[-1] == '\n')) {
		p += strlen("PRETTY_NAME=");
		p += *p == '"';
		snprintf(buf, n, "%.*s", (int)strcspn(p, "\"\n"), p);
	}
}

/* 2 on a unified host, "hybrid" where v2 is beside v1's controllers */
static const char *cgroup_version(void)
{
	struct statfs s;
	if (statfs("/sys/fs/cgroup", &s) == 0 && (unsigned long)s.f_type == CGROUP2_SUPER_MAGIC)
		return "2";
	if (statfs("/sys/fs/cgroup/unified", &s) == 0 && (unsigned long)s.f_type == CGROUP2_SUPER_MAGIC)
		return "hybrid";
	return "1";
}

/* What containers' cgroups can have: the cgroup2 root's controllers (none
 * where they are bound to v1, as on a hybrid host) */
static void gen_controllers(yajl_gen g)
{
	const char *mount;
	_cleanup_free_ char *have = NULL;
	jg_key(g, "cgroupControllers");
	yajl_gen_array_open(g);
	if (cg_find_mount(&mount) == 0 && cg_root_controllers(mount, &have) == 0)
		for (char *save = NULL, *t = strtok_r(have, " ", &save); t; t = strtok_r(NULL, " ", &save))
			jg_str(g, t);
	yajl_gen_array_close(g);
}

static void gen_security(yajl_gen g, const corrald *d)
{
	_cleanup_free_ char *lsm = NULL;
	jg_key(g, "securityModules");
	yajl_gen_array_open(g);
	if (read_file("/sys/kernel/security/lsm", 4096, &lsm, NULL, NULL) == 0)
		for (char *save = NULL, *t = strtok_r(lsm, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save))
			jg_str(g, t);
	jg_str(g, "seccomp"); /* corral's own filter, in every container */
	yajl_gen_array_close(g);
	jg_key_str(g, "apparmorProfile", d->apparmor_default ? d->apparmor_default : "");
}

int host_info_gen(corrald *d, yajl_gen g)
{
	struct utsname u;
	char os[128], fs[32], host[HOST_NAME_MAX + 1] = "";
	struct sysinfo si = { 0 };
	uname(&u);
	os_name(os, sizeof(os));
	gethostname(host, sizeof(host) - 1);
	sysinfo(&si);
	jg_key_str(g, "hostname", host);
	jg_key_str(g, "kernel", u.release);
	jg_key_str(g, "os", os);
	jg_key_str(g, "arch", u.machine);
	jg_key_int(g, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	jg_key_int(g, "memTotal", (long long)si.totalram * si.mem_unit);
	jg_key_str(g, "cgroupVersion", cgroup_version());
	jg_key_str(g, "cgroupManager", d->systemd_cgroup ? "systemd" : "cgroupfs");
	gen_controllers(g);
	gen_security(g, d);
	jg_key_str(g, "storageDriver", "overlay");
	jg_key_str(g, "storageFilesystem", fs_name_of(d->cfg->state_dir, fs, sizeof(fs)));
	jg_key_str(g, "ociRuntime", "corral");
	jg_key_str(g, "networkBackend", "cni");
	jg_key_str(g, "cniPath", d->cfg->cni_path);
	jg_key_str(g, "defaultNetwork", d->cfg->default_network);
	return 0;
}
