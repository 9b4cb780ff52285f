/* The default config.json, as `corral spec` writes it: runc's defaults,
 * with a read-only root and no_new_privileges. */
#include "spec.h"
#include "bundle/spec_default.h"
#include "bundle/spec_parse.h"
#include "seccomp_default.h"
#include "common/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const default_caps =
	"[\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]";

static const char *const masked =
	"[\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\","
	" \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\","
	" \"/proc/scsi\", \"/sys/devices/virtual/powercap\"]";

static const char *const readonly =
	"[\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]";

char *spec_default_json(bool rootless)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb,
		"{\"ociVersion\": \"" OCI_VERSION "\","
		" \"process\": {\"terminal\": true, \"user\": {\"uid\": 0, \"gid\": 0},"
		" \"args\": [\"sh\"],"
		" \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],"
		" \"cwd\": \"/\","
		" \"capabilities\": {\"bounding\": %s, \"effective\": %s, \"permitted\": %s},"
		" \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
		" \"noNewPrivileges\": true},"
		" \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
		" \"hostname\": \"corral\","
		" \"mounts\": ["
		"{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
		"{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
		" \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
		"{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
		" \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s]},"
		"{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
		" \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
		"{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
		" \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},",
		default_caps, default_caps, default_caps, rootless ? "" : ", \"gid=5\"");
	/* rootless, as runc's: the host's /sys (sysfs needs a network namespace
	 * of the user's), and no cgroup namespace, so cgroup2 is the host's,
	 * bound read-only (mounts.c) */
	if (rootless)
		sb_adds(&sb, "{\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\","
			     " \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]},");
	else
		sb_adds(&sb, "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
			     " \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},");
	sb_adds(&sb, "{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup2\", \"source\": \"cgroup\","
		     " \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}");
	sb_adds(&sb, "], \"linux\": {");
	if (rootless)
		sb_addf(&sb,
			"\"uidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],"
			" \"gidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],"
			" \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"},"
			" {\"type\": \"mount\"}, {\"type\": \"user\"}],",
			(unsigned)getuid(), (unsigned)getgid());
	else
		sb_adds(&sb, "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
			     " {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],");
	sb_addf(&sb, " \"maskedPaths\": %s, \"readonlyPaths\": %s", masked, readonly);
	char *seccomp = seccomp_default_profile_json();
	if (seccomp)
		sb_addf(&sb, ", \"seccomp\": %s", seccomp);
	free(seccomp);
	sb_adds(&sb, "}}");
	return sb_detach(&sb);
}

int spec_default(struct oci_spec **out, cerr *err)
{
	char *j = spec_default_json(false);
	int r = spec_parse(j, out, err);
	free(j);
	return r;
}
