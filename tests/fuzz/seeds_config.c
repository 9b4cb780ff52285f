/* Seed corpus for fuzz_config: the default configs `corral spec` writes, and
 * hand-written ones reaching the parser's less common branches. Usage:
 * seeds_config DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/seccomp_default.h"
#include "bundle/spec.h"
#include "bundle/spec_default.h"
#include "fuzz_seeds.h"

#define HEAD "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}," \
	     "\"root\":{\"path\":\"rootfs\"},"

static const char *const extra[] = {
	HEAD "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
	"\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
	"\"listenerPath\":\"/run/l.sock\",\"listenerMetadata\":\"m\",\"syscalls\":[{\"names\":[\"read\"],"
	"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_NOTIFY\","
	"\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}}}",
	HEAD "\"linux\":{\"namespaces\":[{\"type\":\"network\"},{\"type\":\"user\"},{\"type\":\"time\"}],"
	"\"netDevices\":{\"eth9\":{\"name\":\"eth0\"}},\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
	"\"timeOffsets\":{\"monotonic\":{\"secs\":1,\"nanosecs\":2}},\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
	"\"personality\":{\"domain\":\"LINUX32\",\"flags\":[]},\"rootfsPropagation\":\"rslave\","
	"\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,\"fileMode\":438}],"
	"\"resources\":{\"memory\":{\"limit\":1000000}},\"cgroupsPath\":\"/a/b\"}}",
	HEAD "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"env\":[\"A=B\"],\"timeout\":5}],"
	"\"poststop\":[{\"path\":\"/bin/false\"}]},\"annotations\":{\"a\":\"b\"},\"hostname\":\"h\","
	"\"mounts\":[{\"destination\":\"/m\",\"type\":\"bind\",\"source\":\"/s\",\"options\":[\"rbind\",\"ro\",\"rro\","
	"\"idmap\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":2}],"
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":2}]}]}",
	HEAD "\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},\"args\":[\"a\"],"
	"\"cwd\":\"/w\",\"user\":{\"uid\":1,\"gid\":2,\"umask\":18,\"additionalGids\":[3,4]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":2}],\"oomScoreAdj\":-500,"
	"\"capabilities\":{\"ambient\":[\"CAP_CHOWN\"],\"bounding\":[\"CAP_CHOWN\"]},\"noNewPrivileges\":true}}",
};

static int put(const char *dir, const char *name, const char *text)
{
	return seed_put(dir, name, text, strlen(text)) < 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	int rc = 0;
	for (int rootless = 0; rootless < 2; rootless++) {
		char *j = spec_default_json(rootless);
		char name[32];
		snprintf(name, sizeof(name), "default-%d.json", rootless);
		rc |= !j || put(argv[1], name, j);
		free(j);
	}
	/* The default config with the default seccomp profile in it. */
	char *base = spec_default_json(false), *profile = seccomp_default_profile_json();
	char *lnx = base ? strstr(base, "\"linux\": {") : NULL;
	if (lnx && profile) {
		lnx += strlen("\"linux\": {");
		char *doc = NULL;
		if (asprintf(&doc, "%.*s\"seccomp\": %s, %s", (int)(lnx - base), base, profile, lnx) > 0)
			rc |= put(argv[1], "default-seccomp.json", doc);
		free(doc);
	}
	free(base);
	free(profile);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "extra-%zu.json", i);
		rc |= put(argv[1], name, extra[i]);
	}
	return rc;
}
