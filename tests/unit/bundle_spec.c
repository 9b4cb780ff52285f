/* bundle/: config.json parsing, validation messages and round-trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "bundle/spec.h"
#include "bundle/spec_json.h"
#include "bundle/spec_default.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "common/cleanup.h"

/* A minimal valid config with PROCESS_EXTRA spliced into process and
 * EXTRA into the top level. */
static char *config_with(const char *process_extra, const char *extra)
{
	char *s = NULL;
	if (asprintf(&s,
		     "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
		     "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"%s%s},"
		     "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"uts\"},"
		     "{\"type\":\"ipc\"},{\"type\":\"network\"}]}%s%s}",
		     process_extra[0] ? "," : "", process_extra, extra[0] ? "," : "", extra) < 0)
		return NULL;
	return s;
}

static void test_default_round_trips(void **state)
{
	cerr err = { 0 };
	struct oci_spec *s = NULL;
	_cleanup_free_ char *def = spec_default_json(false);
	assert_int_equal(spec_parse(def, &s, &err), 0);
	_cleanup_free_ char *once = spec_to_json(s, false);
	assert_non_null(once);
	struct oci_spec *s2 = NULL;
	assert_int_equal(spec_parse(once, &s2, &err), 0);
	_cleanup_free_ char *twice = spec_to_json(s2, false);
	assert_string_equal(once, twice);
	/* a few values survive the trip */
	assert_string_equal(s2->process.args[0], "sh");
	assert_true(s2->root_readonly);
	assert_int_equal(s2->process.caps.n[CAPSET_BOUNDING], 3);
	assert_int_equal(s2->n_mounts, 7);
	assert_true(spec_has_namespace(s2, NS_NETWORK));
	assert_int_equal(s2->process.rlimits[0].soft, 1024);
	spec_free(s);
	spec_free(s2);
}

static void test_rootless_default_parses(void **state)
{
	cerr err = { 0 };
	struct oci_spec *s = NULL;
	_cleanup_free_ char *def = spec_default_json(true);
	assert_int_equal(spec_parse(def, &s, &err), 0);
	assert_true(spec_has_namespace(s, NS_USER));
	assert_false(spec_has_namespace(s, NS_NETWORK));
	/* runc's: cgroup2 is the host's, bound read-only, with no namespace */
	assert_false(spec_has_namespace(s, NS_CGROUP));
	assert_string_equal(s->mounts[s->n_mounts - 1].destination, "/sys/fs/cgroup");
	assert_string_equal(s->mounts[s->n_mounts - 2].source, "/sys");
	assert_int_equal(s->linux_.n_uid_mappings, 1);
	assert_int_equal(s->linux_.uid_mappings[0].host_id, getuid());
	spec_free(s);
}

static void test_full_config_round_trips(void **state)
{
	_cleanup_free_ char *c = config_with(
		"\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
		"\"env\":[\"A=1\"],\"noNewPrivileges\":true,\"oomScoreAdj\":-5,"
		"\"user\":{\"uid\":1,\"gid\":2,\"umask\":18,\"additionalGids\":[3,4]},"
		"\"capabilities\":{\"ambient\":[\"CAP_KILL\"]},"
		"\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":18446744073709551615}]",
		"\"hostname\":\"h\",\"domainname\":\"d\",\"annotations\":{\"k\":\"v\"},"
		"\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":5}]},"
		"\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/tmp\",\"options\":[\"rbind\",\"ro\",\"rprivate\",\"rnosuid\"]}]");
	/* linux gets more members through a second object merge: rewrite it */
	char *p = strstr(c, "\"linux\":{");
	assert_non_null(p);
	_cleanup_free_ char *full = NULL;
	assert_true(asprintf(&full, "%.*s\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
				    "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,\"fileMode\":8630}],"
				    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
				    "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
				    "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":3}]}]},"
				    "\"personality\":{\"domain\":\"LINUX\"},\"rootfsPropagation\":\"rslave\",%s",
			     (int)(p - c), c, p + 9) >= 0);
	cerr err = { 0 };
	struct oci_spec *s = NULL;
	int r = spec_parse(full, &s, &err);
	if (r < 0)
		fail_msg("%s", cerr_msg(&err));
	assert_int_equal(s->process.rlimits[0].hard, UINT64_MAX);
	assert_int_equal(s->mounts[0].flags & MS_RDONLY, MS_RDONLY);
	assert_true(s->mounts[0].bind && s->mounts[0].recursive);
	assert_int_equal(s->mounts[0].propagation, MS_PRIVATE | MS_REC);
	assert_int_equal(s->linux_.seccomp->syscalls[0].args[0].op, 7);
	assert_int_equal(s->linux_.devices[0].file_mode, 0666); /* podman's 020666: its type bits are dropped */
	assert_string_equal(spec_annotation(s, "k"), "v");
	_cleanup_free_ char *once = spec_to_json(s, true);
	struct oci_spec *s2 = NULL;
	r = spec_parse(once, &s2, &err);
	if (r < 0)
		fail_msg("%s", cerr_msg(&err));
	_cleanup_free_ char *twice = spec_to_json(s2, true);
	assert_string_equal(once, twice);
	spec_free(s);
	spec_free(s2);
}

struct bad_case {
	const char *process_extra;
	const char *extra;
	const char *message;
};

/* Each bad config and the exact message it must produce. Keys given twice
 * take the last value, so cases can override the defaults above. */
static const struct bad_case bad_cases[] = {
	{ "\"args\":[]", "", "process.args: must be a non-empty array" },
	{ "\"args\":\"sh\"", "", "process.args: must be an array, not string" },
	{ "\"args\":[1]", "", "process.args[0]: must be a string, not number" },
	{ "\"args\":[\"\"]", "", "process.args: must be a non-empty array" },
	{ "\"cwd\":\"relative\"", "", "process.cwd: \"relative\" must be an absolute path" },
	{ "\"cwd\":5", "", "process.cwd: must be a string, not number" },
	{ "\"user\":{\"uid\":-1,\"gid\":0}", "", "process.user.uid: -1 is not an integer in [0, 4294967295]" },
	{ "\"user\":{\"gid\":0}", "", "process.user.uid: is required" },
	{ "\"user\":{\"uid\":0,\"gid\":0,\"umask\":1000}", "", "process.user.umask: 1000 is larger than 0777" },
	{ "\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[\"a\"]}", "",
	  "process.user.additionalGids[0]: must be an integer in [0, 4294967295]" },
	{ "\"env\":[\"NOEQUALS\"]", "", "process.env[0]: \"NOEQUALS\" is not KEY=VALUE" },
	{ "\"terminal\":\"yes\"", "", "process.terminal: must be a boolean, not string" },
	{ "\"capabilities\":{\"bounding\":[\"CAP_FOO\"]}", "",
	  "process.capabilities.bounding[0]: unknown capability \"CAP_FOO\"" },
	{ "\"capabilities\":{\"effective\":[\"KILL\"]}", "",
	  "process.capabilities.effective[0]: unknown capability \"KILL\"" },
	{ "\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]", "",
	  "process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"" },
	{ "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]", "",
	  "process.rlimits[0]: soft limit 2 is above hard limit 1" },
	{ "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":-2,\"hard\":1}]", "",
	  "process.rlimits[0].soft: -2 is not an unsigned 64-bit integer" },
	{ "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1}]", "",
	  "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"" },
	{ "\"oomScoreAdj\":1001", "", "process.oomScoreAdj: 1001 is outside [-1000, 1000]" },
	{ "\"consoleSize\":{\"height\":24}", "", "process.consoleSize.width: is required" },
	{ "", "\"ociVersion\":\"2.0.0\"", "ociVersion: \"2.0.0\" is not a supported version (1.x)" },
	{ "", "\"root\":{\"path\":\"\"}", "root.path: must not be empty" },
	{ "", "\"root\":{\"path\":\"r\",\"readonly\":1}", "root.readonly: must be a boolean, not number" },
	{ "", "\"mounts\":[{\"destination\":\"tmp\",\"type\":\"tmpfs\"}]",
	  "mounts[0].destination: \"tmp\" must be an absolute path" },
	{ "", "\"mounts\":[{\"destination\":\"/x\"}]",
	  "mounts[0].type: is required for a mount that is not a bind mount" },
	{ "", "\"mounts\":[{\"destination\":\"/x\",\"options\":[\"bind\"]}]", "mounts[0].source: is required for a bind mount" },
	{ "", "\"mounts\":{}", "mounts: must be an array, not object" },
	{ "", "\"mounts\":[{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"idmap\"]}]",
	  "mounts[0]: idmapped mounts must be bind mounts" },
	{ "", "\"mounts\":[{\"destination\":\"/x\",\"source\":\"/y\",\"options\":[\"rbind\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]",
	  "mounts[0]: uidMappings and gidMappings must be given together" },
	{ "", "\"hostname\":7", "hostname: must be a string, not number" },
	{ "", "\"annotations\":{\"a\":1}", "annotations.a: must be a string, not number" },
	{ "", "\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}", "hooks.prestart[0].path: \"rel\" must be an absolute path" },
	{ "", "\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}",
	  "hooks.poststop[0].timeout: 0 must be between 1 and 86400 seconds" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"foo\"}]}",
	  "linux.namespaces[2].type: unknown namespace \"foo\"" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"mount\"}]}",
	  "linux.namespaces[1].type: duplicate namespace \"mount\"" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"net\",\"path\":\"x\"}]}",
	  "linux.namespaces[0].type: unknown namespace \"net\"" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"x\"}]}",
	  "linux.namespaces[0].path: \"x\" must be an absolute path" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}",
	  "linux.uidMappings: a new user namespace needs uidMappings and gidMappings" },
	/* a block device's type bits on a character device (podman gives st_mode) */
	{ "", "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1,\"minor\":3,\"fileMode\":25014}]}",
	  "linux.devices[0].fileMode: 60666 has bits beyond 07777 other than those of type \"c\"" },
	{ "", "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":1}]}",
	  "linux.uidMappings: mappings need a user namespace in linux.namespaces" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":0}]}",
	  "linux.uidMappings[0].size: must be at least 1" },
	{ "", "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"q\",\"major\":1,\"minor\":1}]}",
	  "linux.devices[0].type: \"q\" must be one of c, b, u, p" },
	{ "", "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\"}]}",
	  "linux.devices[0]: major and minor are required for type \"c\"" },
	{ "", "\"linux\":{\"sysctl\":{\"kernel.panic\":\"1\"}}", "linux.sysctl.kernel.panic: not a namespaced sysctl" },
	{ "", "\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}",
	  "linux.sysctl.net.ipv4.ip_forward: needs a new network namespace" },
	{ "", "\"linux\":{\"sysctl\":{\"net/../x\":\"1\"},\"namespaces\":[{\"type\":\"network\"}]}",
	  "linux.sysctl.net/../x: invalid sysctl name" },
	{ "", "\"linux\":{\"rootfsPropagation\":\"sideways\"}", "linux.rootfsPropagation: unknown propagation \"sideways\"" },
	{ "", "\"linux\":{\"maskedPaths\":[\"proc\"]}", "linux.maskedPaths[0]: \"proc\" must be an absolute path" },
	{ "", "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_MAYBE\"}}",
	  "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"" },
	{ "", "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}",
	  "linux.seccomp.syscalls[0].args[0].index: 9 is not a syscall argument (0-5)" },
	{ "", "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}}",
	  "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"" },
	{ "", "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}}",
	  "linux.seccomp.listenerPath: is required with SCMP_ACT_NOTIFY" },
	{ "", "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}}",
	  "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"" },
	{ "", "\"linux\":{\"personality\":{\"domain\":\"BSD\"}}", "linux.personality.domain: \"BSD\" must be LINUX or LINUX32" },
	{ "", "\"linux\":{\"netDevices\":{\"eth0\":{\"name\":\"a/b\"}}}",
	  "linux.netDevices.eth0: \"a/b\" is not a valid interface name" },
	{ "", "\"linux\":{\"netDevices\":{\"eth0\":{}}}",
	  "linux.netDevices: needs a network namespace in linux.namespaces" },
	{ "", "\"linux\":{\"intelRdt\":{}}", "linux.intelRdt: Intel RDT is not supported" },
	{ "", "\"linux\":[]", "linux: must be an object, not array" },
	{ "", "\"hostname\":\"this-hostname-is-much-longer-than-sixty-four-bytes-which-the-kernel-refuses\"",
	  "hostname: \"this-hostname-is-much-longer-than-sixty-four-bytes-which-the-kernel-refuses\" is longer than 64 bytes" },
	{ "", "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]},\"hostname\":\"h\"",
	  "hostname: setting it needs a new uts namespace" },
};

static void test_bad_configs(void **state)
{
	assert_true(ARRAY_SIZE(bad_cases) >= 30);
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		_cleanup_free_ char *c = config_with(bad_cases[i].process_extra, bad_cases[i].extra);
		_cleanup_cerr_ cerr err = { 0 };
		struct oci_spec *s = NULL;
		int r = spec_parse(c, &s, &err);
		if (r == 0) {
			spec_free(s);
			fail_msg("case %zu accepted: %s", i, c);
		}
		if (strcmp(cerr_msg(&err), bad_cases[i].message) != 0)
			fail_msg("case %zu:\n  want: %s\n  got:  %s", i, bad_cases[i].message, cerr_msg(&err));
	}
}

static void test_not_json(void **state)
{
	const char *inputs[] = { "", "{", "[]", "null", "{\"ociVersion\":}" };
	const char *want[] = { "invalid JSON", "invalid JSON", "must be a JSON object, not array",
			       "must be a JSON object, not null", "invalid JSON" };
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		_cleanup_cerr_ cerr err = { 0 };
		struct oci_spec *s = NULL;
		assert_int_not_equal(spec_parse(inputs[i], &s, &err), 0);
		if (strncmp(cerr_msg(&err), want[i], strlen(want[i])) != 0)
			fail_msg("input %zu: %s", i, cerr_msg(&err));
		assert_null(strchr(cerr_msg(&err), '\n'));
	}
}

static void test_deep_nesting_refused(void **state)
{
	char buf[4096] = "{\"ociVersion\":\"1.0.0\",\"annotations\":";
	size_t n = strlen(buf);
	for (int i = 0; i < 200; i++)
		buf[n++] = '[';
	for (int i = 0; i < 200; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = 0;
	_cleanup_cerr_ cerr err = { 0 };
	struct oci_spec *s = NULL;
	assert_int_not_equal(spec_parse(buf, &s, &err), 0);
	assert_string_equal(cerr_msg(&err), "nested deeper than 64 levels");
}

static void test_unknown_fields_ignored(void **state)
{
	_cleanup_free_ char *c = config_with("\"futureField\":{\"x\":1}", "\"vm\":{\"hypervisor\":{}},\"zzz\":true");
	cerr err = { 0 };
	struct oci_spec *s = NULL;
	assert_int_equal(spec_parse(c, &s, &err), 0);
	spec_free(s);
}

static void test_mount_options(void **state)
{
	_cleanup_free_ char *c = config_with("", "\"mounts\":[{\"destination\":\"/d\",\"type\":\"tmpfs\",\"source\":\"t\","
						 "\"options\":[\"nosuid\",\"nodev\",\"mode=755\",\"size=1k\",\"ro\",\"rw\",\"shared\"]}]");
	cerr err = { 0 };
	struct oci_spec *s = NULL;
	assert_int_equal(spec_parse(c, &s, &err), 0);
	assert_int_equal(s->mounts[0].flags, MS_NOSUID | MS_NODEV);
	assert_string_equal(s->mounts[0].data, "mode=755,size=1k");
	assert_int_equal(s->mounts[0].propagation, MS_SHARED);
	assert_false(s->mounts[0].bind);
	spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_round_trips),
		cmocka_unit_test(test_rootless_default_parses),
		cmocka_unit_test(test_full_config_round_trips),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_deep_nesting_refused),
		cmocka_unit_test(test_unknown_fields_ignored),
		cmocka_unit_test(test_mount_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
