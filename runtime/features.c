/* corral features: the runtime-spec features document. It lists what this
 * build implements, derived from the same tables the code uses where it
 * can, so it cannot claim more than is there. */
#include "features.h"
#include "apparmor.h"
#include "criu.h"
#include "runtime/criu_cache.h"
#include "hooks.h"
#include "rootless.h"
#include "selinux.h"
#include "bundle/mount_options.h"
#include "cgroups/cgroups.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_lib.h"
#include "bundle/spec.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/version.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>
#include <sys/capability.h>

static int gen_strs(yajl_gen g, const char *key, const char *const *v, size_t n)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < n; i++)
		r = jg_str(g, v[i]);
	return r || yajl_gen_array_close(g);
}

static int gen_enabled(yajl_gen g, const char *key, bool on)
{
	return jg_key(g, key) || yajl_gen_map_open(g) || jg_key_bool(g, "enabled", on) || yajl_gen_map_close(g);
}

static int gen_caps(yajl_gen g)
{
	int r = jg_key(g, "capabilities") || yajl_gen_array_open(g);
	for (int c = 0; !r && c < (int)cap_max_bits(); c++) {
		char *name = cap_to_name(c);
		if (!name)
			continue;
		char up[64];
		size_t i = 0;
		for (; name[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)toupper((unsigned char)name[i]);
		up[i] = '\0';
		/* libcap names caps it does not know by number: skip those */
		if (strncmp(up, "CAP_", 4) == 0)
			r = jg_str(g, up);
		cap_free(name);
	}
	return r || yajl_gen_array_close(g);
}

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v[n])
		n++;
	return n;
}

/* The architectures this libseccomp can resolve, under their OCI names. */
static int gen_archs(yajl_gen g)
{
	static const char *const archs[] = {
		"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
		"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
		"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
		"SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
	};
	int r = jg_key(g, "archs") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < ARRAY_SIZE(archs); i++) {
		char low[32];
		size_t k = 0;
		for (const char *p = archs[i] + strlen("SCMP_ARCH_"); *p && k + 1 < sizeof(low); p++)
			low[k++] = (char)tolower((unsigned char)*p);
		low[k] = '\0';
		if (seccomp_arch_resolve_name(low))
			r = jg_str(g, archs[i]);
	}
	return r || yajl_gen_array_close(g);
}

static int gen_seccomp(yajl_gen g)
{
	static const char *const known[] = {
		"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
		"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	};
	/* the last needs libseccomp 2.6 */
	size_t supported = SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6) ? 4 : 3;
	return jg_key(g, "seccomp") || yajl_gen_map_open(g) || jg_key_bool(g, "enabled", true) ||
	       gen_strs(g, "actions", oci_seccomp_actions, count(oci_seccomp_actions)) ||
	       gen_strs(g, "operators", oci_seccomp_ops, count(oci_seccomp_ops)) || gen_archs(g) ||
	       gen_strs(g, "knownFlags", known, ARRAY_SIZE(known)) ||
	       gen_strs(g, "supportedFlags", known, supported) || yajl_gen_map_close(g);
}

static int gen_linux(yajl_gen g, bool rootless)
{
	static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };
	int r = jg_key(g, "linux") || yajl_gen_map_open(g) || gen_strs(g, "namespaces", ns, ARRAY_SIZE(ns)) ||
		gen_caps(g);
	r = r || jg_key(g, "cgroup") || yajl_gen_map_open(g) || jg_key_bool(g, "v1", false) ||
	    jg_key_bool(g, "v2", true) || jg_key_bool(g, "systemd", cg_systemd_available()) || jg_key_bool(g, "systemdUser", cg_systemd_available()) ||
	    jg_key_bool(g, "rdma", false) || yajl_gen_map_close(g);
	r = r || gen_seccomp(g) || gen_enabled(g, "apparmor", apparmor_enabled()) ||
	    gen_enabled(g, "selinux", selinux_enabled()) || gen_enabled(g, "intelRdt", false) || gen_enabled(g, "netDevices", !rootless);
	r = r || jg_key(g, "mountExtensions") || yajl_gen_map_open(g) || gen_enabled(g, "idmap", !rootless) ||
	    yajl_gen_map_close(g);
	return r || yajl_gen_map_close(g);
}

void features_missing_controllers(char *out, size_t len)
{
	const char *mount;
	char missing[64];
	cg_missing_standard(&mount, missing, sizeof(missing));
	out[0] = '\0';
	if (missing[0]) {
		char why[1024];
		cg_explain_missing(missing, why, sizeof(why));
		snprintf(out, len, "the cgroup2 hierarchy at %s lacks %s: %s", mount, missing, why);
	}
}

char *features_json(bool rootless, const char *cache_dir)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return NULL;
	const char *opts[128];
	size_t n = mount_options_known(opts, ARRAY_SIZE(opts));
	if (n > ARRAY_SIZE(opts))
		n = ARRAY_SIZE(opts);
	/* an idmapped mount is attached by a parent privileged over the filesystem */
	if (rootless) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!streq(opts[i], "idmap") && !streq(opts[i], "ridmap"))
				opts[k++] = opts[i];
		n = k;
	}
	int r = yajl_gen_map_open(g) || jg_key_str(g, "ociVersionMin", "1.0.0") ||
		jg_key_str(g, "ociVersionMax", OCI_VERSION) || gen_strs(g, "hooks", oci_hook_names, HOOK_COUNT) ||
		gen_strs(g, "mountOptions", opts, n) || gen_linux(g, rootless);
	r = r || jg_key(g, "annotations") || yajl_gen_map_open(g) ||
	    jg_key_str(g, "io.github.corral.version", CORRAL_VERSION) ||
	    jg_key_str(g, "io.github.corral.commit", corral_commit);
	char missing[1280];
	features_missing_controllers(missing, sizeof(missing));
	r = r || (missing[0] && jg_key_str(g, "io.github.corral.cgroup2.missing", missing));
	/* runc's key, said only where checkpoint can work: criu is there and
	 * its own check passes */
	if (criu_works_cached(cache_dir))
		r = r || jg_key_str(g, "org.opencontainers.runc.checkpoint.enabled", "true");
	if (rootless) {
		char where[PATH_MAX], what[PATH_MAX + 256];
		if (rootless_cgroup_delegated(where, sizeof(where)))
			snprintf(what, sizeof(what), "delegated: containers go below %s", where);
		else
			snprintf(what, sizeof(what), "none: %s is not this user's; a container with limits needs a cgroup "
				 "delegated to it (--systemd-cgroup with the user's systemd, or a subtree chowned to it)", where);
		r = r || jg_key_str(g, "io.github.corral.rootless.cgroup", what);
	}
	r = r || yajl_gen_map_close(g);
	r = r || yajl_gen_map_close(g);
	return r ? NULL : jg_finish(g, NULL);
}
