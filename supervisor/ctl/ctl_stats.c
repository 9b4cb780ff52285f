/* corralctl stats: what containers use, once (--no-stream) or every
 * interval until interrupted; all running containers when none is named. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/template/template_value.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the CPU share is measured against: the last sample. */
typedef struct sample {
	char *id, *name;
	long long cpu_usec, at_usec; /* at: when, or when it started */
} sample;

static long long now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000ll + ts.tv_nsec / 1000;
}

static void samples_free(sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].id);
		free(s[i].name);
	}
	free(s);
}

/* One sample per container of list (an array of Container). */
static int samples_of(yajl_val list, sample **out, size_t *n)
{
	size_t len = YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
	*out = calloc(len + 1, sizeof(sample));
	*n = 0;
	if (!*out)
		return ctl_fail("stats", "out of memory");
	for (size_t i = 0; i < len; i++) {
		yajl_val x = list->u.array.values[i];
		long long since = human_seconds_since(ctl_str(tmpl_field(x, "state", 5), "startedAt"));
		sample *s = &(*out)[(*n)++];
		s->id = strdup(ctl_str(x, "id"));
		char name[512];
		s->name = strdup(ctl_owned_name(x, name, sizeof(name)));
		s->at_usec = now_usec() - (since < 0 ? 0 : since) * 1000000ll;
		if (!s->id || !s->name)
			return ctl_fail("stats", "out of memory");
	}
	return 0;
}

/* The containers named, or every running one. */
static int containers(const ctl_args *a, vl_client **c, sample **out, size_t *n)
{
	vl_reply rep;
	if (!a->argc) {
		if (ctl_call(c, M("List"), "{}", false, &rep))
			return EXIT_CTL;
		int r = samples_of(json_get(rep.params, "containers"), out, n);
		vl_reply_release(&rep);
		return r;
	}
	_cleanup_json_ yajl_val v = NULL;
	int rc = ctl_collect(M("Inspect"), "id", a->argc, a->argv, "container", &v);
	int r = v ? samples_of(v, out, n) : EXIT_CTL;
	return rc ? rc : r;
}

/* The CPU share is measured from the last round's sample of the container. */
static void carry_over(sample *now, size_t n, const sample *last, size_t m)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			if (streq(now[i].id, last[j].id) && last[j].at_usec) {
				now[i].cpu_usec = last[j].cpu_usec;
				now[i].at_usec = last[j].at_usec;
			}
}

/* A row of the table, podman's names, from a Stats reply. */
static int gen_row(yajl_gen g, sample *s, yajl_val st)
{
	long long cpu = ctl_int(st, "cpuUsageUsec", 0), now = now_usec(), mem = ctl_int(st, "memoryBytes", -1),
		  lim = ctl_int(st, "memoryLimit", -1);
	double perc = now > s->at_usec ? 100.0 * (double)(cpu - s->cpu_usec) / (double)(now - s->at_usec) : 0;
	s->cpu_usec = cpu;
	s->at_usec = now;
	char cpu_s[32], mem_s[64], memp[32], io[64], net[64], a[24], b[24], t[48];
	snprintf(cpu_s, sizeof(cpu_s), "%.2f%%", perc < 0 ? 0 : perc);
	/* "--": not known (no such controller), as the docker CLI shows it */
	if (mem < 0)
		snprintf(mem_s, sizeof(mem_s), "-- / --");
	else
		snprintf(mem_s, sizeof(mem_s), "%s / %s", human_size(mem, a, sizeof(a)),
			 lim > 0 ? human_size(lim, b, sizeof(b)) : "-");
	snprintf(memp, sizeof(memp), mem >= 0 && lim > 0 ? "%.2f%%" : mem < 0 ? "--" : "-",
		 lim > 0 ? 100.0 * (double)mem / (double)lim : 0);
	long long rd = ctl_int(st, "ioReadBytes", -1), wr = ctl_int(st, "ioWriteBytes", -1);
	if (rd < 0)
		snprintf(io, sizeof(io), "-- / --");
	else
		snprintf(io, sizeof(io), "%s / %s", human_size(rd, a, sizeof(a)), human_size(wr, b, sizeof(b)));
	snprintf(net, sizeof(net), "%s / %s", human_size(ctl_int(st, "netInput", 0), a, sizeof(a)),
		 human_size(ctl_int(st, "netOutput", 0), b, sizeof(b)));
	snprintf(t, sizeof(t), "%.3fs", (double)cpu / 1e6);
	char id[13];
	snprintf(id, sizeof(id), "%.12s", s->id);
	return yajl_gen_map_open(g) || jg_key_str(g, "ID", id) || jg_key_str(g, "Name", s->name) ||
	       jg_key_str(g, "CPUPerc", cpu_s) || jg_key_str(g, "MemUsage", mem_s) || jg_key_str(g, "MemPerc", memp) ||
	       jg_key_str(g, "NetIO", net) || jg_key_str(g, "BlockIO", io) || jg_key_int(g, "PIDs", ctl_int(st, "pids", 0)) ||
	       jg_key_str(g, "CPUTime", t) || yajl_gen_map_close(g);
}

static const tmpl_title stats_titles[] = {
	{ "CPUPerc", "CPU %" }, { "MemUsage", "MEM USAGE / LIMIT" }, { "MemPerc", "MEM %" },
	{ "NetIO", "NET IO" }, { "BlockIO", "BLOCK IO" }, { "PIDs", "PIDS" }, { "CPUTime", "CPU TIME" }, { NULL, NULL },
};

/* One round: a Stats call per container; those that have gone are left out. */
static int one_round(vl_client **c, sample *s, size_t n, bool clear)
{
	_cleanup_json_gen_ yajl_gen items = json_gen_new(false), rows = json_gen_new(false);
	int r = !items || !rows || yajl_gen_array_open(items) || yajl_gen_array_open(rows), rc = 0;
	for (size_t i = 0; !r && i < n; i++) {
		vl_reply rep;
		if (ctl_call_gen(c, M("Stats"), ctl_params(s[i].id), false, &rep)) {
			s[i].at_usec = 0; /* gone: nothing to carry over */
			rc = EXIT_CTL;
			continue;
		}
		yajl_val st = json_get(rep.params, "stats");
		r = jg_value(items, st) || gen_row(rows, &s[i], st);
		vl_reply_release(&rep);
	}
	if (r)
		return ctl_fail("stats", "out of memory");
	if (clear)
		fputs("\033[2J\033[H", stdout); /* a terminal shows the latest table only */
	r = ctl_output_gen(items, rows, "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t"
			       "{{.PIDs}}\t{{.CPUTime}}",
		       stats_titles);
	fflush(stdout);
	return r ? r : rc;
}

static int v_stats(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	long long interval = opt_num(a, "interval", 5000000000ll);
	bool stream = !opt_on(a, "no-stream"), tty = isatty(STDOUT_FILENO);
	sample *last = NULL;
	size_t n_last = 0;
	if (interval <= 0)
		return ctl_usage_error(a->cmd, "--interval must be more than 0");
	for (;;) {
		sample *s = NULL;
		size_t n = 0;
		int rc = containers(a, &c, &s, &n);
		carry_over(s, n, last, n_last);
		if (!rc)
			rc = one_round(&c, s, n, stream && tty);
		samples_free(last, n_last);
		last = s;
		n_last = n;
		/* named containers that have gone end the stream */
		if (!stream || (rc && a->argc)) {
			samples_free(last, n_last);
			return rc;
		}
		struct timespec ts = { interval / 1000000000ll, interval % 1000000000ll };
		nanosleep(&ts, NULL);
	}
}

static const ctl_opt stats_opts[] = {
	{ "no-stream", 0, OPT_FLAG, "", "print one sample and return" },
	{ "interval", 'i', OPT_DURATION, "DURATION", "time between samples (default 5s)" },
	CTL_OPT_FORMAT,
	{ NULL },
};

const ctl_cmd ctl_stats_cmds[] = {
	{ "stats", "[CONTAINER...]", "Print what containers use: all running ones when none is named", stats_opts, 0,
	  -1, CMD_FORMAT, COMPLETE_CONTAINERS, v_stats },
	{ NULL },
};
