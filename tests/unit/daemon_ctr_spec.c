/* supervisor/daemon/ctr_spec.c: the ContainerSpec of CreateContainer, its
 * defaults, and errors that name the field at fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"

static int parse_spec(const char *json, ctr_spec *s, json_fault *f)
{
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(json, "spec", &v, &err), 0);
	int r = ctr_spec_parse(v, "no", 10, s, f);
	yajl_tree_free(v);
	return r;
}

static void test_spec_full(void **state)
{
	ctr_spec s;
	json_fault f = { 0 };
	assert_int_equal(parse_spec("{\"image\":\"busybox\",\"name\":\"web-1\",\"command\":[\"sh\",\"-c\",\"true\"],"
				    "\"env\":[\"A=1\",\"B=\"],\"workdir\":\"/srv\",\"user\":\"1000:1000\","
				    "\"mounts\":[{\"source\":\"/data\",\"destination\":\"/data\",\"readonly\":true}],"
				    "\"resources\":{\"memory\":67108864,\"cpus\":1.5,\"pids\":100,\"memorySwap\":-1,"
				    "\"memoryReservation\":33554432},"
				    "\"restart\":\"on-failure:3\",\"network\":\"loopback\",\"labels\":{\"app\":\"web\"},"
				    "\"tty\":true,\"consoleSize\":{\"height\":40,\"width\":120},"
				    "\"stopSignal\":\"SIGQUIT\",\"stopTimeout\":30}",
				    &s, &f), 0);
	assert_string_equal(s.image, "busybox");
	assert_string_equal(s.name, "web-1");
	assert_string_equal(s.command[2], "true");
	assert_null(s.command[3]);
	assert_string_equal(s.env[1], "B=");
	assert_int_equal(s.n_mounts, 1);
	assert_true(s.mounts[0].readonly);
	assert_int_equal(s.memory, 67108864);
	assert_true(s.cpus > 1.49 && s.cpus < 1.51);
	assert_int_equal(s.pids, 100);
	assert_int_equal(s.memory_swap, -1);
	assert_int_equal(s.memory_reservation, 33554432);
	assert_int_equal(s.restart.kind, RESTART_ON_FAILURE);
	assert_int_equal(s.restart.max_retries, 3);
	assert_int_equal(s.network, CTR_NET_LOOPBACK);
	assert_string_equal(s.labels[0], "app");
	assert_string_equal(s.labels[1], "web");
	assert_true(s.tty);
	assert_int_equal(s.console_rows, 40);
	assert_int_equal(s.console_cols, 120);
	assert_int_equal(s.stop_signal, SIGQUIT);
	assert_int_equal(s.stop_timeout, 30);
	ctr_spec_release(&s);

	assert_int_equal(parse_spec("{\"image\":\"x\"}", &s, &f), 0);
	assert_null(s.name);
	assert_int_equal(s.memory, -1);
	assert_int_equal(s.pids, -1);
	assert_int_equal(s.stop_signal, SIGTERM);
	assert_int_equal(s.stop_timeout, 10);
	assert_int_equal(s.network, CTR_NET_NONE);
	assert_int_equal(s.restart.kind, RESTART_NO);
	ctr_spec_release(&s);
}

static void expect_field(const char *json, const char *want_field, const char *want_reason)
{
	ctr_spec s;
	json_fault f = { 0 };
	assert_true(parse_spec(json, &s, &f) < 0);
	if (strcmp(f.field, want_field))
		fail_msg("%s: field [%s], expected [%s]", json, f.field, want_field);
	if (!strstr(f.reason, want_reason))
		fail_msg("%s: reason [%s] lacks [%s]", json, f.reason, want_reason);
}

static void test_spec_network_and_ports(void **state)
{
	(void)state;
	ctr_spec s;
	json_fault f = { 0 };
	assert_int_equal(parse_spec("{\"image\":\"x\",\"network\":\"web\",\"ports\":[{\"hostIP\":\"127.0.0.1\","
				    "\"hostPort\":18080,\"containerPort\":80},{\"hostPort\":53,\"containerPort\":53,"
				    "\"protocol\":\"udp\"}]}", &s, &f), 0);
	assert_int_equal(s.network, CTR_NET_CNI);
	assert_string_equal(s.net_name, "web");
	assert_int_equal(s.n_ports, 2);
	assert_string_equal(s.ports[0].host_ip, "127.0.0.1");
	assert_int_equal(s.ports[0].host_port, 18080);
	assert_int_equal(s.ports[0].container_port, 80);
	assert_string_equal(s.ports[0].protocol, "tcp");
	assert_string_equal(s.ports[1].protocol, "udp");
	ctr_spec_release(&s);
	/* no host port, or 0: Create picks one (-p 80); two such are no clash */
	assert_int_equal(parse_spec("{\"image\":\"x\",\"network\":\"web\",\"ports\":[{\"containerPort\":80},"
				    "{\"hostPort\":0,\"containerPort\":81}]}", &s, &f), 0);
	assert_int_equal(s.n_ports, 2);
	assert_int_equal(s.ports[0].host_port, 0);
	assert_int_equal(s.ports[1].host_port, 0);
	assert_int_equal(ctr_spec_default_network(&s, "none", &f), 0); /* it named one */
	assert_int_equal(s.network, CTR_NET_CNI);
	ctr_spec_release(&s);
	assert_int_equal(parse_spec("{\"image\":\"x\",\"network\":\"host\"}", &s, &f), 0);
	assert_int_equal(s.network, CTR_NET_HOST);
	ctr_spec_release(&s);
	/* another container's, by the reference given (Create resolves it) */
	assert_int_equal(parse_spec("{\"image\":\"x\",\"network\":\"container:web_1\"}", &s, &f), 0);
	assert_int_equal(s.network, CTR_NET_CONTAINER);
	assert_string_equal(s.net_container, "web_1");
	assert_null(s.net_name);
	ctr_spec_release(&s);
	assert_int_equal(parse_spec("{\"image\":\"x\"}", &s, &f), 0);
	assert_true(ctr_spec_default_network(&s, "container:web", &f) < 0); /* no default */
	assert_string_equal(f.field, "spec.network");
	ctr_spec_release(&s);
	/* no network named: corrald's default; ports then need it to be a network */
	assert_int_equal(parse_spec("{\"image\":\"x\",\"ports\":[{\"hostPort\":8080,\"containerPort\":80}]}", &s, &f), 0);
	assert_int_equal(ctr_spec_default_network(&s, "corral", &f), 0);
	assert_int_equal(s.network, CTR_NET_CNI);
	assert_string_equal(s.net_name, "corral");
	ctr_spec_release(&s);
	assert_int_equal(parse_spec("{\"image\":\"x\",\"ports\":[{\"hostPort\":8080,\"containerPort\":80}]}", &s, &f), 0);
	assert_true(ctr_spec_default_network(&s, "none", &f) < 0);
	assert_string_equal(f.field, "spec.ports");
	ctr_spec_release(&s);
}

static void test_spec_errors_name_the_field(void **state)
{
	expect_field("[]", "spec", "must be an object");
	expect_field("{}", "spec.image", "required");
	expect_field("{\"image\":\"x\",\"bogus\":1}", "spec.bogus", "unknown field");
	expect_field("{\"image\":\"x\",\"name\":\"-bad\"}", "spec.name", "letters");
	expect_field("{\"image\":\"x\",\"command\":[]}", "spec.command", "must not be empty");
	expect_field("{\"image\":\"x\",\"command\":[\"a\",1]}", "spec.command[1]", "must be a string");
	expect_field("{\"image\":\"x\",\"env\":[\"A=1\",\"\"]}", "spec.env[1]", "KEY=VALUE");
	expect_field("{\"image\":\"x\",\"workdir\":\"rel\"}", "spec.workdir", "absolute");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\"},{\"source\":\"a\",\"destination\":\"/b\"}]}",
		     "spec.mounts[1].source", "absolute");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b/../..\"}]}",
		     "spec.mounts[0].destination", "without ..");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"readonly\":\"yes\"}]}",
		     "spec.mounts[0].readonly", "boolean");
	expect_field("{\"image\":\"x\",\"resources\":{\"memory\":1024}}", "spec.resources.memory", "4 MiB");
	expect_field("{\"image\":\"x\",\"resources\":{\"cpus\":0}}", "spec.resources.cpus", "0.01");
	expect_field("{\"image\":\"x\",\"resources\":{\"pids\":0}}", "spec.resources.pids", "from 1");
	expect_field("{\"image\":\"x\",\"resources\":{\"memorySwap\":1024}}", "spec.resources.memorySwap", "-1");
	expect_field("{\"image\":\"x\",\"resources\":{\"memorySwap\":-2}}", "spec.resources.memorySwap", "-1");
	expect_field("{\"image\":\"x\",\"resources\":{\"memorySwap\":67108864}}", "spec.resources.memorySwap",
		     "needs memory");
	expect_field("{\"image\":\"x\",\"resources\":{\"memory\":67108864,\"memorySwap\":33554432}}",
		     "spec.resources.memorySwap", "33554432 is below memory 67108864");
	expect_field("{\"image\":\"x\",\"resources\":{\"memory\":33554432,\"memoryReservation\":67108864}}",
		     "spec.resources.memoryReservation", "67108864 is above memory 33554432");
	expect_field("{\"image\":\"x\",\"resources\":{\"memoryReservation\":1024}}", "spec.resources.memoryReservation",
		     "4 MiB");
	expect_field("{\"image\":\"x\",\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1},"
		     "{\"pageSize\":\"../x\",\"limit\":1}]}}",
		     "spec.resources.hugepageLimits[1].pageSize", "2MB or 1GB");
	expect_field("{\"image\":\"x\",\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}}",
		     "spec.resources.hugepageLimits[0].limit", "required");
	expect_field("{\"image\":\"x\",\"resources\":{\"unified\":{\"../../memory.max\":\"1\"}}}",
		     "spec.resources.unified.../../memory.max", "not a cgroup file's name");
	expect_field("{\"image\":\"x\",\"resources\":{\"unified\":{\"memory.high\":\"1\\n2\"}}}",
		     "spec.resources.unified.memory.high", "one line");
	expect_field("{\"image\":\"x\",\"capAmbient\":[\"SYS_ADMIN\"]}", "spec.capAmbient[0]", "capAdd it");
	expect_field("{\"image\":\"x\",\"consoleSize\":{\"height\":0,\"width\":80}}", "spec.consoleSize.height",
		     "out of range");
	expect_field("{\"image\":\"x\",\"consoleSize\":{\"height\":24}}", "spec.consoleSize.width", "required");
	expect_field("{\"image\":\"x\",\"capAmbient\":[\"NOPE\"]}", "spec.capAmbient[0]", "no such capability");
	expect_field("{\"image\":\"x\",\"pidNamespace\":\"shared\"}", "spec.pidNamespace", "\"host\" or \"container:ID\"");
	expect_field("{\"image\":\"x\",\"selinuxOptions\":{\"type\":\"a:b\"}}", "spec.selinuxOptions.type",
		     "not a part of an SELinux label");
	expect_field("{\"image\":\"x\",\"selinuxOptions\":{\"level\":\"s0\\\"\"}}", "spec.selinuxOptions.level",
		     "not a part of an SELinux label");
	expect_field("{\"image\":\"x\",\"usernsIds\":{\"uid\":0,\"gid\":1,\"size\":65536}}", "spec.usernsIds.uid", "");
	expect_field("{\"image\":\"x\",\"usernsIds\":{\"uid\":4294901760,\"gid\":1,\"size\":65536}}",
		     "spec.usernsIds.size", "past 2^32");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"idmap\":1}]}",
		     "spec.mounts[0].idmap", "boolean");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"createSource\":\"y\"}]}",
		     "spec.mounts[0].createSource", "boolean");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"type\":\"volume\",\"source\":\"v\",\"destination\":\"/b\",\"noCopy\":1}]}",
		     "spec.mounts[0].noCopy", "boolean");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"sourceType\":\"pipe\"}]}",
		     "spec.mounts[0].sourceType", "must be directory, file");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"sourceType\":\"file\","
		     "\"createSource\":true}]}",
		     "spec.mounts[0].sourceType", "directory only");
	expect_field("{\"image\":\"x\",\"restart\":\"sometimes\"}", "spec.restart", "must be no, on-failure");
	expect_field("{\"image\":\"x\",\"ulimits\":[{\"name\":\"nofile\",\"soft\":1,\"hard\":1},"
		     "{\"name\":\"RLIMIT_X\",\"soft\":1,\"hard\":1}]}",
		     "spec.ulimits[1].name", "not an rlimit");
	expect_field("{\"image\":\"x\",\"ulimits\":[{\"name\":\"nofile\",\"soft\":-2,\"hard\":1}]}",
		     "spec.ulimits[0].soft", "-1 (unlimited)");
	expect_field("{\"image\":\"x\",\"ulimits\":[{\"name\":\"nofile\",\"soft\":-1,\"hard\":1}]}",
		     "spec.ulimits[0].soft", "is above hard");
	expect_field("{\"image\":\"x\",\"ulimits\":[{\"name\":\"nofile\",\"hard\":1}]}", "spec.ulimits[0].soft",
		     "");
	expect_field("{\"image\":\"x\",\"shmSize\":0}", "spec.shmSize", "");
	expect_field("{\"image\":\"x\",\"groupNames\":[\"wheel\",\"a:b\"]}", "spec.groupNames[1]", "a group's name");
	expect_field("{\"image\":\"x\",\"groupNames\":[7]}", "spec.groupNames[0]", "a group's name");
	expect_field("{\"image\":\"x\",\"network\":\"a/b\"}", "spec.network",
		     "none, loopback, host, container:REF or a network's name");
	expect_field("{\"image\":\"x\",\"network\":\"container:\"}", "spec.network", "needs a container's id or name");
	expect_field("{\"image\":\"x\",\"domainname\":\"a..b\"}", "spec.domainname", "as RFC 1123 says");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"ipAddress\":\"10.0.0.256\"}", "spec.ipAddress", "not an IPv4");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"macAddress\":\"01:00:5e:00:00:01\"}", "spec.macAddress",
		     "unicast");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"macAddress\":\"02:00:00:00:00:011\"}", "spec.macAddress", "");
	expect_field("{\"image\":\"x\",\"network\":\"host\",\"ipAddress\":\"10.0.0.2\"}", "spec.ipAddress",
		     "a fixed address needs a network");
	expect_field("{\"image\":\"x\",\"network\":\"container:a\\tb\"}", "spec.network", "a control byte");
	expect_field("{\"image\":\"x\",\"network\":\"container:web\",\"ports\":[{\"containerPort\":80}]}",
		     "spec.ports", "not none, loopback, host or a container's");
	expect_field("{\"image\":\"x\",\"network\":\"loopback\",\"ports\":[{\"hostPort\":8080,\"containerPort\":80}]}",
		     "spec.ports", "needs a network");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"ports\":[{\"hostPort\":65536,\"containerPort\":80}]}",
		     "spec.ports[0].hostPort", "");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"ports\":[{\"hostPort\":80}]}", "spec.ports[0].containerPort",
		     "required");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"ports\":[{\"hostPort\":1,\"containerPort\":80,\"protocol\":\"sctp\"}]}",
		     "spec.ports[0].protocol", "tcp or udp");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"ports\":[{\"hostPort\":1,\"containerPort\":80,\"hostIP\":\"nope\"}]}",
		     "spec.ports[0].hostIP", "not an IP address");
	expect_field("{\"image\":\"x\",\"network\":\"n\",\"ports\":[{\"hostPort\":1,\"containerPort\":80},"
		     "{\"hostPort\":1,\"containerPort\":81,\"protocol\":\"tcp\"}]}", "spec.ports[1]", "published twice");
	expect_field("{\"image\":\"x\",\"labels\":{\"a\":1}}", "spec.labels.a", "string");
	expect_field("{\"image\":\"x\",\"stopSignal\":\"SIGNOPE\"}", "spec.stopSignal", "signal");
	expect_field("{\"image\":\"x\",\"stopTimeout\":-1}", "spec.stopTimeout", "0 to 86400");
	expect_field("{\"image\":\"x\",\"tty\":1}", "spec.tty", "boolean");
	expect_field("{\"image\":\"x\",\"healthcheck\":{\"command\":[\"t\"],\"retries\":0}}", "spec.healthcheck.retries",
		     "from 1 to 1000");
	expect_field("{\"image\":\"x\",\"healthcheck\":{\"command\":[\"t\"]},\"noHealthcheck\":true}",
		     "spec.noHealthcheck", "excludes");
	expect_field("{\"image\":\"x\",\"noHealthcheck\":1}", "spec.noHealthcheck", "boolean");
}

/* The spec's arrays of items (ctr_spec_each): each item in its slot, in
 * order; an empty array is given (an empty list), absent is not; a wrong
 * item or too many named by its path. */
static void test_spec_arrays_of_items(void **state)
{
	ctr_spec s;
	json_fault f = { 0 };
	assert_int_equal(parse_spec("{\"image\":\"x\",\"groups\":[10,4294967294],\"groupNames\":[\"wheel\"],"
				    "\"devices\":[{\"hostPath\":\"/dev/fuse\",\"permissions\":\"rw\"}],"
				    "\"maskedPaths\":[],\"readonlyPaths\":[\"/proc/sys\",\"/sys\"]}",
				    &s, &f), 0);
	assert_int_equal(s.n_groups, 2);
	assert_int_equal(s.groups[1], 4294967294LL);
	assert_string_equal(s.group_names[0], "wheel");
	assert_null(s.group_names[1]);
	assert_int_equal(s.n_devices, 1);
	assert_string_equal(s.devices[0].host_path, "/dev/fuse");
	assert_string_equal(s.devices[0].permissions, "rw");
	assert_true(s.masked_given);
	assert_non_null(s.masked_paths);
	assert_null(s.masked_paths[0]);
	assert_string_equal(s.readonly_paths[1], "/sys");
	ctr_spec_release(&s);
	expect_field("{\"image\":\"x\",\"groups\":[1,-1]}", "spec.groups[1]", "a group id from 0");
	expect_field("{\"image\":\"x\",\"groups\":\"wheel\"}", "spec.groups", "must be an array of group ids");
	expect_field("{\"image\":\"x\",\"devices\":[{\"hostPath\":\"/dev/fuse\"},{\"hostPath\":\"dev\"}]}",
		     "spec.devices[1]", "absolute paths");
	expect_field("{\"image\":\"x\",\"readonlyPaths\":[\"/a\",\"/b/../c\"]}", "spec.readonlyPaths[1]",
		     "an absolute path");
	char many[1024] = "{\"image\":\"x\",\"groups\":[0";
	for (int i = 0; i < 64; i++)
		strcat(many, ",1");
	strcat(many, "]}");
	expect_field(many, "spec.groups", "at most 64");
}

/* What issue 14 added: an entrypoint that may be empty (not absent), a
 * hostname, tmpfs mounts with checked options, bind propagation, and the
 * flags; autoRemove and a restart policy exclude each other. */
static void test_spec_podman_fields(void **state)
{
	ctr_spec s;
	json_fault f = { 0 };
	assert_int_equal(parse_spec("{\"image\":\"x\",\"entrypoint\":[],\"hostname\":\"db.example\","
				    "\"tmpfs\":[\"/run\",\"/scratch:size=64m,mode=1777,exec\"],"
				    "\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"propagation\":\"rslave\"},"
				    "{\"source\":\"/c\",\"destination\":\"/d\",\"createSource\":true}],"
				    "\"readOnly\":true,\"init\":true,\"privileged\":true,\"autoRemove\":true,"
				    "\"interactive\":true,\"apparmorProfile\":\"web\"}",
				    &s, &f), 0);
	assert_string_equal(s.apparmor, "web");
	assert_non_null(s.entrypoint);
	assert_null(s.entrypoint[0]);
	assert_null(s.command);
	assert_string_equal(s.hostname, "db.example");
	assert_int_equal(s.n_tmpfs, 2);
	assert_string_equal(s.tmpfs[0].destination, "/run");
	assert_null(s.tmpfs[0].options[0]);
	assert_string_equal(s.tmpfs[1].destination, "/scratch");
	assert_string_equal(s.tmpfs[1].options[0], "size=64m");
	assert_string_equal(s.tmpfs[1].options[2], "exec");
	assert_string_equal(s.mounts[0].propagation, "rslave");
	assert_true(!s.mounts[0].create_source && s.mounts[1].create_source);
	assert_true(s.read_only && s.init && s.privileged && s.auto_remove && s.interactive);
	ctr_spec_release(&s);
	/* docker run --ulimit and --shm-size */
	assert_int_equal(parse_spec("{\"image\":\"x\",\"shmSize\":8388608,\"ulimits\":[{\"name\":\"nofile\","
				    "\"soft\":1024,\"hard\":4096},{\"name\":\"core\",\"soft\":-1,\"hard\":-1}]}",
				    &s, &f), 0);
	assert_int_equal(s.shm_size, 8388608);
	assert_int_equal(s.n_ulimits, 2);
	assert_string_equal(s.ulimits[0].type, "RLIMIT_NOFILE");
	assert_true(s.ulimits[0].soft == 1024 && s.ulimits[0].hard == 4096);
	assert_string_equal(s.ulimits[1].type, "RLIMIT_CORE");
	assert_true(s.ulimits[1].soft == UINT64_MAX && s.ulimits[1].hard == UINT64_MAX);
	ctr_spec_release(&s);
	assert_int_equal(parse_spec("{\"image\":\"x\"}", &s, &f), 0);
	assert_null(s.entrypoint);
	assert_null(s.hostname);
	assert_null(s.apparmor);
	assert_false(s.read_only || s.init || s.privileged || s.auto_remove || s.interactive);
	ctr_spec_release(&s);
	/* the daemon's default policy yields to autoRemove; a given one does not */
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse("{\"image\":\"x\",\"autoRemove\":true}", "spec", &v, &err), 0);
	assert_int_equal(ctr_spec_parse(v, "always", 10, &s, &f), 0);
	assert_int_equal(s.restart.kind, RESTART_NO);
	ctr_spec_release(&s);
	yajl_tree_free(v);
	expect_field("{\"image\":\"x\",\"autoRemove\":true,\"restart\":\"always\"}", "spec.autoRemove",
		     "excludes a restart policy");
	expect_field("{\"image\":\"x\",\"entrypoint\":\"sh\"}", "spec.entrypoint", "array of strings");
	expect_field("{\"image\":\"x\",\"hostname\":\"a_b\"}", "spec.hostname", "RFC 1123");
	expect_field("{\"image\":\"x\",\"hostname\":\"a..b\"}", "spec.hostname", "RFC 1123");
	expect_field("{\"image\":\"x\",\"tmpfs\":[\"/t:r0\"]}", "spec.tmpfs[0]", "options are");
	expect_field("{\"image\":\"x\",\"tmpfs\":[\"/t:size=1x\"]}", "spec.tmpfs[0]", "options are");
	expect_field("{\"image\":\"x\",\"tmpfs\":[\"/t:mode=999\"]}", "spec.tmpfs[0]", "options are");
	expect_field("{\"image\":\"x\",\"tmpfs\":[\"t\"]}", "spec.tmpfs[0]", "absolute");
	expect_field("{\"image\":\"x\",\"tmpfs\":[\"/a/../b\"]}", "spec.tmpfs[0]", "without ..");
	expect_field("{\"image\":\"x\",\"tmpfs\":[1]}", "spec.tmpfs[0]", "must be a string");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"propagation\":\"up\"}]}",
		     "spec.mounts[0].propagation", "rslave");
	expect_field("{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"options\":[\"ro\"]}]}",
		     "spec.mounts[0].options", "unknown field");
	expect_field("{\"image\":\"x\",\"privileged\":\"yes\"}", "spec.privileged", "boolean");
	expect_field("{\"image\":\"x\",\"apparmorProfile\":1}", "spec.apparmorProfile", "string");
	expect_field("{\"image\":\"x\",\"readOnly\":1}", "spec.readOnly", "boolean");
}

/* The reasons go out on the wire as InvalidParameter's: word for word. */
static void test_spec_reasons_word_for_word(void **state)
{
	static const struct { const char *json, *field, *reason; } cases[] = {
		{ "{\"image\":\"x\",\"command\":\"sh\"}", "spec.command", "must be an array of strings, not string" },
		{ "{\"image\":\"x\",\"env\":[\"=x\"]}", "spec.env[0]", "must be KEY=VALUE, or KEY to unset it" },
		{ "{\"image\":\"x\",\"mounts\":{}}", "spec.mounts", "must be an array of mounts, not object" },
		{ "{\"image\":\"x\",\"mounts\":[1]}", "spec.mounts[0]", "must be an object, not number" },
		{ "{\"image\":\"x\",\"mounts\":[{\"source\":\"/a\",\"destination\":\"/b\",\"readonly\":1}]}",
		  "spec.mounts[0].readonly", "must be a boolean" },
		{ "{\"image\":\"x\",\"labels\":[]}", "spec.labels", "must be an object of strings, not array" },
		{ "{\"image\":\"x\",\"labels\":{\"\":\"v\"}}", "spec.labels.", "must be a string with a non-empty key" },
		{ "{\"image\":\"\"}", "spec.image", "required" },
		{ "{\"image\":5}", "spec.image", "must be a string, not number" },
		{ "{\"image\":\"x\",\"resources\":[]}", "spec.resources", "must be an object, not array" },
		{ "{\"image\":\"x\",\"resources\":{\"memory\":\"1g\"}}", "spec.resources.memory",
		  "must be an integer number of bytes, at least 4 MiB" },
		{ "{\"image\":\"x\",\"resources\":{\"pids\":5000000}}", "spec.resources.pids",
		  "must be an integer from 1 to 4194304" },
		{ "{\"image\":\"x\",\"tty\":\"yes\"}", "spec.tty", "must be a boolean" },
		{ "{\"image\":\"x\",\"stopTimeout\":1.5}", "spec.stopTimeout",
		  "must be an integer number of seconds from 0 to 86400" },
		{ "{\"image\":\"x\",\"capAdd\":[\"NOPE\"]}", "spec.capAdd", "capAdd[0]: unknown capability \"NOPE\"" },
		{ "{\"image\":\"x\",\"restart\":7}", "spec.restart", "must be a string, not number" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ctr_spec s;
		json_fault f = { 0 };
		assert_true(parse_spec(cases[i].json, &s, &f) < 0);
		if (strcmp(f.field, cases[i].field) || strcmp(f.reason, cases[i].reason))
			fail_msg("%s: [%s] [%s], expected [%s] [%s]", cases[i].json, f.field, f.reason, cases[i].field,
				 cases[i].reason);
	}
}

/* A spec of n entries of each given kind: "mounts" binds or "tmpfs". */
static char *spec_of_many(const char *kind, size_t n)
{
	size_t cap = 64 + n * 64;
	char *json = malloc(cap);
	assert_non_null(json);
	size_t len = (size_t)snprintf(json, cap, "{\"image\":\"x\",\"%s\":[", kind);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(json + len, cap - len,
					strcmp(kind, "mounts") ? "%s\"/t%zu\"" : "%s{\"source\":\"/s\",\"destination\":\"/d%zu\"}",
					i ? "," : "", i);
	snprintf(json + len, cap - len, "]}");
	return json;
}

/* Each bind is an fd corrald holds while the container is made: 1024 are
 * taken, one more is refused by field. */
static void test_spec_mounts_are_bounded(void **state)
{
	static const char *const kinds[] = { "mounts", "tmpfs" };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		_cleanup_free_ char *most = spec_of_many(kinds[k], 1024), *over = spec_of_many(kinds[k], 1025);
		ctr_spec s;
		json_fault f = { 0 };
		assert_int_equal(parse_spec(most, &s, &f), 0);
		ctr_spec_release(&s);
		assert_true(parse_spec(over, &s, &f) < 0);
		char field[16];
		snprintf(field, sizeof(field), "spec.%s", kinds[k]);
		assert_string_equal(f.field, field);
		assert_string_equal(f.reason, "at most 1024");
	}
}

/* a volume's source is NAME or NAME@UID (its owner's), never more */
static void test_spec_volume_names(void **state)
{
	static const char *const good[] = { "data", "data@4141", "a.b-c_d@1", "x@4294967294" };
	static const char *const bad[] = { "x@0", "x@", "@4141", "x@41a", "x@-1", "x@4141@4141", "../x", "x/y", "x@12345678901" };
	char json[256];
	for (size_t i = 0; i < ARRAY_SIZE(good) + ARRAY_SIZE(bad); i++) {
		bool ok = i < ARRAY_SIZE(good);
		const char *name = ok ? good[i] : bad[i - ARRAY_SIZE(good)];
		snprintf(json, sizeof(json),
			 "{\"image\":\"x\",\"mounts\":[{\"type\":\"volume\",\"source\":\"%s\",\"destination\":\"/d\"}]}",
			 name);
		ctr_spec s;
		json_fault f = { 0 };
		int r = parse_spec(json, &s, &f);
		if (ok) {
			assert_int_equal(r, 0);
			assert_string_equal(s.volumes[0].name, name);
			ctr_spec_release(&s);
		} else {
			assert_true(r < 0);
			assert_string_equal(f.field, "spec.mounts[0].source");
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_full),
		cmocka_unit_test(test_spec_errors_name_the_field), cmocka_unit_test(test_spec_network_and_ports),
		cmocka_unit_test(test_spec_podman_fields),
		cmocka_unit_test(test_spec_reasons_word_for_word),
		cmocka_unit_test(test_spec_arrays_of_items),
		cmocka_unit_test(test_spec_mounts_are_bounded),
		cmocka_unit_test(test_spec_volume_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
