#include "stats.h"
#include "cgroups/cg_stats.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_u64(int dirfd, const char *file, uint64_t *v)
{
	_cleanup_free_ char *s = NULL;
	int r = read_file_at(dirfd, file, 4096, &s, NULL, NULL);
	if (r < 0)
		return r;
	if (strncmp(s, "max", 3) == 0) {
		*v = CG_UNLIMITED;
		return 0;
	}
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s ? -EINVAL : 0;
}

/* Visit the "key value" lines of a flat-keyed file. */
typedef void (*kv_fn)(void *ctx, const char *key, uint64_t val);
static int read_kv(int dirfd, const char *file, kv_fn fn, void *ctx)
{
	_cleanup_free_ char *s = NULL;
	int r = read_file_at(dirfd, file, 1 << 20, &s, NULL, NULL);
	if (r < 0)
		return r;
	for (char *save = NULL, *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		fn(ctx, line, strtoull(sp + 1, NULL, 10));
	}
	return 0;
}

static void on_events(void *ctx, const char *k, uint64_t v)
{
	struct cg_stats *s = ctx;
	if (streq(k, "low")) s->ev_low = v;
	else if (streq(k, "high")) s->ev_high = v;
	else if (streq(k, "max")) s->ev_max = v;
	else if (streq(k, "oom")) s->ev_oom = v;
	else if (streq(k, "oom_kill")) s->ev_oom_kill = v;
}

static void on_memstat(void *ctx, const char *k, uint64_t v)
{
	struct cg_stats *s = ctx;
	struct cg_stat_kv *n = realloc(s->mem_stat, (s->n_mem_stat + 1) * sizeof(*n));
	if (!n)
		return;
	s->mem_stat = n;
	n[s->n_mem_stat].key = strdup(k);
	n[s->n_mem_stat].val = v;
	if (n[s->n_mem_stat].key)
		s->n_mem_stat++;
}

static void on_cpu(void *ctx, const char *k, uint64_t v)
{
	struct cg_stats *s = ctx;
	if (streq(k, "usage_usec")) s->cpu_usage_usec = v;
	else if (streq(k, "user_usec")) s->cpu_user_usec = v;
	else if (streq(k, "system_usec")) s->cpu_system_usec = v;
	else if (streq(k, "nr_periods")) s->nr_periods = v;
	else if (streq(k, "nr_throttled")) s->nr_throttled = v;
	else if (streq(k, "throttled_usec")) s->throttled_usec = v;
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per line */
static int read_io(int dirfd, struct cg_stats *s)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(dirfd, "io.stat", 1 << 20, &buf, NULL, NULL);
	if (r < 0)
		return r;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct cg_io_stat x = { 0 };
		int used = 0;
		if (sscanf(line, "%u:%u%n", &x.major, &x.minor, &used) != 2)
			continue;
		for (char *s2 = NULL, *t = strtok_r(line + used, " ", &s2); t; t = strtok_r(NULL, " ", &s2)) {
			char *eq = strchr(t, '=');
			if (!eq)
				continue;
			*eq = '\0';
			uint64_t v = strtoull(eq + 1, NULL, 10);
			if (streq(t, "rbytes")) x.rbytes = v;
			else if (streq(t, "wbytes")) x.wbytes = v;
			else if (streq(t, "rios")) x.rios = v;
			else if (streq(t, "wios")) x.wios = v;
			else if (streq(t, "dbytes")) x.dbytes = v;
			else if (streq(t, "dios")) x.dios = v;
		}
		struct cg_io_stat *n = realloc(s->io, (s->n_io + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->io = n;
		n[s->n_io++] = x;
	}
	return 0;
}

int cg_stats_read(cg *c, struct cg_stats *s, cerr *err)
{
	memset(s, 0, sizeof(*s));
	if (!c)
		return cerr_set(err, ENOENT, "no cgroup");
	int fd = c->dirfd;
	if (read_u64(fd, "memory.current", &s->mem_current) == 0) {
		s->has_memory = true;
		read_u64(fd, "memory.peak", &s->mem_peak);
		read_u64(fd, "memory.max", &s->mem_max);
		read_u64(fd, "memory.swap.current", &s->swap_current);
		if (read_u64(fd, "memory.swap.max", &s->swap_max) < 0)
			s->swap_max = CG_UNLIMITED;
		read_kv(fd, "memory.events", on_events, s);
		read_kv(fd, "memory.stat", on_memstat, s);
	}
	/* cpu.stat exists without the cpu controller, with usage only */
	if (read_kv(fd, "cpu.stat", on_cpu, s) == 0)
		s->has_cpu = true;
	if (read_u64(fd, "pids.current", &s->pids_current) == 0) {
		s->has_pids = true;
		read_u64(fd, "pids.max", &s->pids_max);
	}
	if (read_io(fd, s) == 0)
		s->has_io = true;
	return 0;
}

void cg_stats_release(struct cg_stats *s)
{
	for (size_t i = 0; i < s->n_mem_stat; i++)
		free(s->mem_stat[i].key);
	free(s->mem_stat);
	free(s->io);
	memset(s, 0, sizeof(*s));
}

int cg_oom_kills(cg *c, uint64_t *n)
{
	struct cg_stats s = { 0 };
	int r = read_kv(c->dirfd, "memory.events", on_events, &s);
	if (r < 0)
		return r;
	*n = s.ev_oom_kill;
	return 0;
}

static int jg_u64(yajl_gen g, const char *k, uint64_t v)
{
	char buf[32];
	/* runc prints "max" limits as the largest uint64 */
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return jg_key(g, k) || yajl_gen_number(g, buf, (size_t)n);
}

static int io_entries(yajl_gen g, const struct cg_stats *s, const char *key, bool bytes)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < s->n_io; i++) {
		const struct cg_io_stat *x = &s->io[i];
		const char *ops[] = { "Read", "Write", "Discard" };
		uint64_t v[] = { bytes ? x->rbytes : x->rios, bytes ? x->wbytes : x->wios,
				 bytes ? x->dbytes : x->dios };
		for (int k = 0; !r && k < 3; k++)
			r = yajl_gen_map_open(g) || jg_key_int(g, "major", x->major) ||
			    jg_key_int(g, "minor", x->minor) || jg_key_str(g, "op", ops[k]) ||
			    jg_u64(g, "value", v[k]) || yajl_gen_map_close(g);
	}
	return r || yajl_gen_array_close(g);
}

int cg_stats_json(const struct cg_stats *s, yajl_gen g)
{
	int r = yajl_gen_map_open(g);
	if (!r && s->has_cpu) {
		r = jg_key(g, "cpu") || yajl_gen_map_open(g) || jg_key(g, "usage") || yajl_gen_map_open(g) ||
		    jg_u64(g, "total", s->cpu_usage_usec * 1000) || jg_u64(g, "kernel", s->cpu_system_usec * 1000) ||
		    jg_u64(g, "user", s->cpu_user_usec * 1000) || yajl_gen_map_close(g) ||
		    jg_key(g, "throttling") || yajl_gen_map_open(g) || jg_u64(g, "periods", s->nr_periods) ||
		    jg_u64(g, "throttled_periods", s->nr_throttled) ||
		    jg_u64(g, "throttled_time", s->throttled_usec * 1000) || yajl_gen_map_close(g) ||
		    yajl_gen_map_close(g);
	}
	if (!r && s->has_memory) {
		uint64_t file = 0;
		for (size_t i = 0; i < s->n_mem_stat; i++)
			if (streq(s->mem_stat[i].key, "file"))
				file = s->mem_stat[i].val;
		r = jg_key(g, "memory") || yajl_gen_map_open(g) || jg_u64(g, "cache", file) ||
		    jg_key(g, "usage") || yajl_gen_map_open(g) || jg_u64(g, "limit", s->mem_max) ||
		    jg_u64(g, "usage", s->mem_current) || jg_u64(g, "max", s->mem_peak) ||
		    jg_u64(g, "failcnt", s->ev_max) || yajl_gen_map_close(g) || jg_key(g, "swap_usage") ||
		    yajl_gen_map_open(g) || jg_u64(g, "limit", s->swap_max) || jg_u64(g, "usage", s->swap_current) ||
		    yajl_gen_map_close(g) || jg_key(g, "events") || yajl_gen_map_open(g) ||
		    jg_u64(g, "low", s->ev_low) || jg_u64(g, "high", s->ev_high) || jg_u64(g, "max", s->ev_max) ||
		    jg_u64(g, "oom", s->ev_oom) || jg_u64(g, "oom_kill", s->ev_oom_kill) || yajl_gen_map_close(g) ||
		    jg_key(g, "raw") || yajl_gen_map_open(g);
		for (size_t i = 0; !r && i < s->n_mem_stat; i++)
			r = jg_u64(g, s->mem_stat[i].key, s->mem_stat[i].val);
		r = r || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	}
	if (!r && s->has_pids)
		r = jg_key(g, "pids") || yajl_gen_map_open(g) || jg_u64(g, "current", s->pids_current) ||
		    jg_u64(g, "limit", s->pids_max == CG_UNLIMITED ? 0 : s->pids_max) || yajl_gen_map_close(g);
	if (!r && s->has_io)
		r = jg_key(g, "blkio") || yajl_gen_map_open(g) ||
		    io_entries(g, s, "ioServiceBytesRecursive", true) ||
		    io_entries(g, s, "ioServicedRecursive", false) || yajl_gen_map_close(g);
	return r || yajl_gen_map_close(g);
}
