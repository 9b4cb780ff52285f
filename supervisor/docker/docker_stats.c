/* GET /containers/{id}/stats: corrald's Stats in Docker's shape, a sample
 * a second (stream=true, the default) or one with the one before it
 * (stream=false), so that the client can work out a CPU percentage.
 * system_cpu_usage is the CPU time the host had, wall time times its CPUs:
 * what Docker reads from /proc/stat, which this sandbox cannot open. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_stats.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/timefmt.h"
#include "common/monotonic.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

typedef struct sample {
	char read[RFC3339_LEN];
	long long cpu_ns, system_ns, mem, mem_limit, pids, pids_limit, rd, wr, rx, tx, rxp, txp;
} sample;

typedef struct stats_ctx {
	char id[128], name[300];
	bool stream;
	sample prev;
} stats_ctx;

/* Of a container that is not running: zeros, as Docker shows it. */
static int take(vl_client *vl, const char *id, sample *s)
{
	char params[256];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", id);
	vl_reply rep = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (vl_client_call(vl, "io.corral.Supervisor.Stats", params, &rep, &e) < 0)
		return -1;
	uint64_t now_usec = mono_usec();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct sysinfo si = { 0 };
	sysinfo(&si);
	yajl_val st = json_get(rep.params, "stats");
	*s = (sample){ 0 };
	if (!rep.error) {
		rfc3339_ns(0, s->read, sizeof(s->read));
		s->cpu_ns = dk_int(st, "cpuUsageUsec", 0) * 1000;
		s->system_ns = (long long)now_usec * 1000 * (ncpu > 0 ? ncpu : 1);
		s->mem = dk_int(st, "memoryBytes", -1); /* -1: no memory controller */
		s->mem_limit = dk_int(st, "memoryLimit", (long long)si.totalram * si.mem_unit);
		s->pids = dk_int(st, "pids", 0);
		s->pids_limit = dk_int(st, "pidsLimit", 0);
		s->rd = dk_int(st, "ioReadBytes", -1); /* -1: no io controller */
		s->wr = dk_int(st, "ioWriteBytes", -1);
		s->rx = dk_int(st, "netInput", 0);
		s->tx = dk_int(st, "netOutput", 0);
		s->rxp = dk_int(st, "netInputPackets", 0);
		s->txp = dk_int(st, "netOutputPackets", 0);
	} else
		snprintf(s->read, sizeof(s->read), "0001-01-01T00:00:00Z");
	vl_reply_release(&rep);
	return 0;
}

static void gen_cpu(yajl_gen g, const char *key, const sample *s)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	jg_key(g, key);
	jg_object(g, JG_OBJECT("cpu_usage"), JG_INT("total_usage", s->cpu_ns), JG_INT("usage_in_kernelmode", 0),
		     JG_INT("usage_in_usermode", 0), JG_CLOSE, JG_INT("system_cpu_usage", s->system_ns),
		     JG_INT("online_cpus", s->system_ns ? ncpu : 0), JG_END);
}

static void gen_io(yajl_gen g, const char *op, long long v)
{
	jg_object(g, JG_INT("major", 0), JG_INT("minor", 0), JG_STR("op", op), JG_INT("value", v), JG_END);
}

static void put_sample(dk_pump *p, stats_ctx *x, const sample *s)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "read", s->read);
	jg_key_str(g, "preread", x->prev.read[0] ? x->prev.read : "0001-01-01T00:00:00Z");
	jg_key(g, "pids_stats");
	yajl_gen_map_open(g);
	jg_key_int(g, "current", s->pids);
	if (s->pids_limit)
		jg_key_int(g, "limit", s->pids_limit);
	yajl_gen_map_close(g);
	jg_key(g, "blkio_stats");
	yajl_gen_map_open(g);
	jg_key(g, "io_service_bytes_recursive");
	yajl_gen_array_open(g);
	if (s->rd >= 0) {
		gen_io(g, "read", s->rd);
		gen_io(g, "write", s->wr);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	gen_cpu(g, "cpu_stats", s);
	gen_cpu(g, "precpu_stats", &x->prev);
	/* figures that are not known are left out, as dockerd leaves them */
	jg_key(g, "memory_stats");
	yajl_gen_map_open(g);
	if (s->system_ns && s->mem >= 0) {
		jg_key_int(g, "usage", s->mem);
		dk_gen_object(g, "stats", NULL);
		jg_key_int(g, "limit", s->mem_limit);
	}
	yajl_gen_map_close(g);
	jg_key_str(g, "name", x->name);
	jg_key_str(g, "id", x->id);
	jg_key(g, "networks");
	jg_object(g, JG_OBJECT("eth0"), JG_INT("rx_bytes", s->rx), JG_INT("rx_packets", s->rxp), JG_INT("rx_errors", 0),
		     JG_INT("rx_dropped", 0), JG_INT("tx_bytes", s->tx), JG_INT("tx_packets", s->txp),
		     JG_INT("tx_errors", 0), JG_INT("tx_dropped", 0), JG_CLOSE, JG_END);
	yajl_gen_map_close(g);
	dk_pump_put_json(p, g, "\n");
}

static int stats_fill(dk_pump *p)
{
	stats_ctx *x = p->ctx;
	if (p->started || !x->stream) { /* a second between samples, or the client's hangup */
		struct pollfd pf = { .fd = p->client, .events = POLLRDHUP };
		if (poll(&pf, p->client >= 0 ? 1 : 0, 1000) > 0)
			return -1;
	}
	p->started = true;
	sample s;
	if (take(p->vl, x->id, &s) < 0)
		return -1;
	put_sample(p, x, &s);
	x->prev = s;
	p->done = !x->stream;
	return 0;
}

void dk_ctr_stats(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	vl_reply rep;
	if (!dk_ctr_record(r, id, &rep))
		return;
	dk_pump *p = dk_pump_new(r, stats_fill, sizeof(stats_ctx));
	if (!p) {
		vl_reply_release(&rep);
		dk_error(r, 500, "out of memory");
		return;
	}
	stats_ctx *x = p->ctx;
	yajl_val c = json_get(rep.params, "container");
	snprintf(x->id, sizeof(x->id), "%s", dk_str(c, "id"));
	x->name[0] = '/';
	dk_owned_name(c, r->viewer, x->name + 1, sizeof(x->name) - 1);
	vl_reply_release(&rep);
	x->stream = dk_query_bool(r, "stream", true) && !dk_query_bool(r, "one-shot", false);
	/* the sample before the first, for the client's CPU percentage (but a
	 * one-shot wants none) */
	if (!dk_query_bool(r, "one-shot", false) && take(r->vl, x->id, &x->prev) < 0) {
		free(p);
		dk_error(r, 500, "corrald: Stats failed");
		return;
	}
	dk_pump_answer(r, p, "application/json");
}
