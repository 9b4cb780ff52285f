/* corral update [options] ID: change a running container's resources, as
 * runc update: from -r FILE (linux.resources JSON, "-" for stdin) and/or
 * flags. Values go through the same parser as config.json, so the same
 * validation and errors apply. */
#include "cli.h"
#include "runtime/cli/cmd_update.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "cgroups/resources.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_scope.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* "512m", "1g", "65536", "-1": bytes, 1024-based like docker and runc. */
static int parse_bytes(const char *s, long long *out)
{
	if (streq(s, "-1")) {
		*out = -1;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	double mul = 1;
	switch (tolower((unsigned char)*end)) {
	case 'k': mul = 1024.0; end++; break;
	case 'm': mul = 1024.0 * 1024; end++; break;
	case 'g': mul = 1024.0 * 1024 * 1024; end++; break;
	case 't': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || v * mul > 9.2e18)
		return -EINVAL;
	*out = (long long)(v * mul);
	return 0;
}

static int parse_int(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

enum { O_MEM = 1, O_MEMRES, O_SWAP, O_SHARES, O_QUOTA, O_PERIOD, O_BURST, O_IDLE, O_CPUS, O_MEMS, O_PIDS, O_BLKIO, O_RES, O_RT };

struct flags {
	const char *val[O_RT + 1];
};

/* unit: the systemd driver's scope, whose properties change first (runc's
 * order), or NULL */
static int apply_json(cg *c, const char *unit, const char *json, const char *what, cerr *err)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cg_resources_ struct cg_resources *res = NULL;
	int r = json_parse(json, what, &v, err);
	if (r < 0)
		return r;
	if ((r = cg_resources_parse(v, &res, err)) < 0)
		return cerr_wrap(err, "%s", what);
	if (unit && (r = cg_scope_set(unit, res, err)) < 0)
		return r;
	return cg_update(c, res, err);
}

/* Build {"memory":{...},"cpu":{...},...} from the flags. */
static int flags_json(cg *c, struct flags *f, strbuf *sb, cerr *err)
{
	static const struct { int opt; const char *obj, *key; bool bytes, str; } map[] = {
		{ O_MEM, "memory", "limit", true, false }, { O_MEMRES, "memory", "reservation", true, false },
		{ O_SWAP, "memory", "swap", true, false }, { O_SHARES, "cpu", "shares", false, false },
		{ O_QUOTA, "cpu", "quota", false, false }, { O_PERIOD, "cpu", "period", false, false },
		{ O_BURST, "cpu", "burst", false, false }, { O_IDLE, "cpu", "idle", false, false },
		{ O_CPUS, "cpu", "cpus", false, true }, { O_MEMS, "cpu", "mems", false, true },
		{ O_PIDS, "pids", "limit", false, false }, { O_BLKIO, "blockIO", "weight", false, false },
	};
	static const char *const objs[] = { "memory", "cpu", "pids", "blockIO" };
	/* swap is memory+swap: without --memory, it is relative to the current limit */
	_cleanup_free_ char *curmem = NULL;
	if (f->val[O_SWAP] && !f->val[O_MEM] && read_file_at(c->dirfd, "memory.max", 64, &curmem, NULL, NULL) == 0) {
		curmem[strcspn(curmem, "\n")] = '\0';
		f->val[O_MEM] = streq(curmem, "max") ? "-1" : curmem;
	}
	sb_adds(sb, "{");
	bool first_obj = true;
	for (size_t o = 0; o < ARRAY_SIZE(objs); o++) {
		bool first = true;
		for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
			const char *v = f->val[map[i].opt];
			if (!v || !streq(map[i].obj, objs[o]))
				continue;
			if (first)
				sb_addf(sb, "%s\"%s\":{", first_obj ? "" : ",", objs[o]);
			first_obj = first = false;
			if (map[i].str) {
				if (strpbrk(v, "\"\\"))
					return cerr_set(err, EINVAL, "--%s-%s: \"%s\" is not valid", map[i].obj, map[i].key, v);
				sb_addf(sb, "\"%s\":\"%s\"", map[i].key, v);
				sb_adds(sb, ",");
				continue;
			}
			long long n;
			if ((map[i].bytes ? parse_bytes(v, &n) : parse_int(v, &n)) < 0)
				return cerr_set(err, EINVAL, "%s.%s: \"%s\" is not %s", map[i].obj, map[i].key, v,
						map[i].bytes ? "a size such as 512m" : "an integer");
			sb_addf(sb, "\"%s\":%lld,", map[i].key, n);
		}
		if (!first) {
			sb->buf[sb->len - 1] = '}';
		}
	}
	return sb_adds(sb, "}") < 0 ? cerr_set(err, ENOMEM, "out of memory") : 0;
}

int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, O_MEM }, { "memory-reservation", required_argument, NULL, O_MEMRES },
		{ "memory-swap", required_argument, NULL, O_SWAP }, { "cpu-shares", required_argument, NULL, O_SHARES },
		{ "cpu-quota", required_argument, NULL, O_QUOTA }, { "cpu-period", required_argument, NULL, O_PERIOD },
		{ "cpu-burst", required_argument, NULL, O_BURST }, { "cpu-idle", required_argument, NULL, O_IDLE },
		{ "cpuset-cpus", required_argument, NULL, O_CPUS }, { "cpuset-mems", required_argument, NULL, O_MEMS },
		{ "pids-limit", required_argument, NULL, O_PIDS }, { "blkio-weight", required_argument, NULL, O_BLKIO },
		{ "resources", required_argument, NULL, 'r' }, { "cpu-rt-period", required_argument, NULL, O_RT },
		{ "cpu-rt-runtime", required_argument, NULL, O_RT }, { "kernel-memory", required_argument, NULL, 'K' },
		{ "kernel-memory-tcp", required_argument, NULL, 'K' }, { NULL, 0, NULL, 0 },
	};
	struct flags f = { { NULL } };
	bool any = false;
	int o;
	while ((o = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		if (o == 'r')
			f.val[O_RES] = optarg;
		else if (o == O_RT) {
			fprintf(stderr, "corral: update: real-time scheduling is not supported by cgroup v2\n");
			return 1;
		} else if (o == 'K')
			continue; /* v1 kernel memory: ignored, as runc does on v2 */
		else if (o > 0 && o < O_RES) {
			f.val[o] = optarg;
			any = true;
		} else
			return 1;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "corral: update: expected exactly one container id\n");
		return 1;
	}
	const char *id = argv[optind];
	cerr err = { 0 };
	_cleanup_state_ struct rt_state *s = NULL;
	_cleanup_cg_ cg *c = NULL;
	if (container_open_cgroup(cli.root, id, true, &s, &c, &err) < 0)
		return cli_fail(&err, "update");
	const char *unit = s->systemd_cgroup ? strrchr(c->path, '/') + 1 : NULL;
	if (f.val[O_RES]) {
		_cleanup_free_ char *text = NULL;
		const char *path = streq(f.val[O_RES], "-") ? "/dev/stdin" : f.val[O_RES];
		if (read_file(path, 1 << 20, &text, NULL, &err) < 0)
			return cli_fail(&err, "update %s: --resources", id);
		if (apply_json(c, unit, text, streq(path, "/dev/stdin") ? "stdin" : path, &err) < 0)
			return cli_fail(&err, "update %s", id);
	}
	if (any) {
		_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
		if (flags_json(c, &f, &sb, &err) < 0 || apply_json(c, unit, sb.buf, "linux.resources", &err) < 0)
			return cli_fail(&err, "update %s", id);
	}
	if (!any && !f.val[O_RES]) {
		fprintf(stderr, "corral: update: nothing to update (see runc update's options)\n");
		return 1;
	}
	return 0;
}
