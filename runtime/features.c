/* corral features: the runtime-spec features document. It lists what this
 * build implements, derived from the same tables the code uses where it
 * can, so it cannot claim more than is there. */
#include "cli.h"
#include "hooks.h"
#include "bundle/mount_options.h"
#include "bundle/spec.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
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

static int gen_linux(yajl_gen g)
{
	static const char *const ns[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };
	int r = jg_key(g, "linux") || yajl_gen_map_open(g) || gen_strs(g, "namespaces", ns, ARRAY_SIZE(ns)) ||
		gen_caps(g);
	r = r || jg_key(g, "cgroup") || yajl_gen_map_open(g) || jg_key_bool(g, "v1", false) ||
	    jg_key_bool(g, "v2", true) || jg_key_bool(g, "systemd", false) || jg_key_bool(g, "systemdUser", false) ||
	    jg_key_bool(g, "rdma", false) || yajl_gen_map_close(g);
	r = r || gen_enabled(g, "seccomp", false) || gen_enabled(g, "apparmor", false) ||
	    gen_enabled(g, "selinux", false) || gen_enabled(g, "intelRdt", false);
	r = r || jg_key(g, "mountExtensions") || yajl_gen_map_open(g) || gen_enabled(g, "idmap", true) ||
	    yajl_gen_map_close(g);
	return r || yajl_gen_map_close(g);
}

char *features_json(void)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return NULL;
	const char *opts[128];
	size_t n = mount_options_known(opts, ARRAY_SIZE(opts));
	if (n > ARRAY_SIZE(opts))
		n = ARRAY_SIZE(opts);
	int r = yajl_gen_map_open(g) || jg_key_str(g, "ociVersionMin", "1.0.0") ||
		jg_key_str(g, "ociVersionMax", OCI_VERSION) || gen_strs(g, "hooks", oci_hook_names, HOOK_COUNT) ||
		gen_strs(g, "mountOptions", opts, n) || gen_linux(g);
	r = r || jg_key(g, "annotations") || yajl_gen_map_open(g) ||
	    jg_key_str(g, "io.github.corral.version", CORRAL_VERSION) ||
	    jg_key_str(g, "io.github.corral.commit", CORRAL_COMMIT) || yajl_gen_map_close(g);
	r = r || yajl_gen_map_close(g);
	return r ? NULL : jg_finish(g, NULL);
}

int cmd_features(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "corral: features: unexpected argument \"%s\"\n", argv[1]);
		return 1;
	}
	_cleanup_free_ char *j = features_json();
	if (!j) {
		fprintf(stderr, "corral: features: out of memory\n");
		return 1;
	}
	printf("%s\n", j);
	return 0;
}
