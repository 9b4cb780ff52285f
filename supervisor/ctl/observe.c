/* corralctl ps, logs, stats and events: what containers do. */
#include "supervisor/ctl/ctl.h"
#include "common/units.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int print_lines(yajl_val p, bool ts)
{
	yajl_val lines = json_get(p, "lines");
	for (size_t i = 0; YAJL_IS_ARRAY(lines) && i < lines->u.array.len; i++) {
		yajl_val l = lines->u.array.values[i];
		FILE *f = strcmp(ctl_str(l, "stream"), "stderr") ? stdout : stderr;
		if (ts)
			fprintf(f, "%s ", ctl_str(l, "time"));
		fputs(ctl_str(l, "line"), f);
		if (!YAJL_IS_TRUE(json_get(l, "partial")))
			fputc('\n', f);
	}
	fflush(stdout);
	fflush(stderr);
	return 0;
}

int ctl_stream_logs(const char *id, bool follow, long tail, bool ts)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return 1;
	yajl_gen_map_open(g);
	jg_key_str(g, "id", id);
	if (follow) jg_key_bool(g, "follow", true);
	if (tail >= 0) jg_key_int(g, "tail", tail);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Logs"), g, follow, &rep))
		return 1;
	for (;;) {
		print_lines(rep.params, ts);
		bool more = rep.continues;
		vl_reply_release(&rep);
		if (!more)
			return 0;
		cerr err = { 0 };
		if (vl_client_recv(c, &rep, &err) < 0) {
			ctl_fail("logs", cerr_msg(&err));
			cerr_clear(&err);
			return 1;
		}
		if (rep.error) {
			ctl_fail("logs", rep.error);
			vl_reply_release(&rep);
			return 1;
		}
	}
}

static void age(const char *rfc, char *buf, size_t n)
{
	struct tm tm = { 0 };
	if (!rfc || !*rfc || !strptime(rfc, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, n, "-");
		return;
	}
	long long d = (long long)(time(NULL) - timegm(&tm));
	if (d < 120) snprintf(buf, n, "%llds ago", d);
	else if (d < 7200) snprintf(buf, n, "%lldm ago", d / 60);
	else if (d < 172800) snprintf(buf, n, "%lldh ago", d / 3600);
	else snprintf(buf, n, "%lldd ago", d / 86400);
}

int ctl_ps(int argc, char **argv)
{
	bool all = false;
	for (int i = 0; i < argc; i++)
		all |= !strcmp(argv[i], "-a") || !strcmp(argv[i], "--all");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("List"), all ? "{\"all\":true}" : "{}", false, &rep))
		return 1;
	yajl_val l = json_get(rep.params, "containers");
	if (ctl_json) {
		_cleanup_free_ char *s = ctl_to_json(l, true);
		printf("%s\n", s ? s : "[]");
	} else {
		printf("%-12s  %-20s  %-24s  %-18s  %s\n", "CONTAINER ID", "NAME", "IMAGE", "STATUS", "CREATED");
		for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++) {
			yajl_val x = l->u.array.values[i];
			yajl_val st = json_get(x, "state");
			char status[64], created[32];
			long long code = 0;
			if (json_int_in(json_get(st, "exitCode"), -1, 255, &code) && !strcmp(ctl_str(st, "status"), "exited"))
				snprintf(status, sizeof(status), "exited (%lld)", code);
			else
				snprintf(status, sizeof(status), "%s", ctl_str(st, "status"));
			age(ctl_str(x, "created"), created, sizeof(created));
			const char *img = ctl_str(x, "image");
			size_t il = strlen(img);
			printf("%-12.12s  %-20s  %-24s  %-18s  %s\n", ctl_str(x, "id"), ctl_str(x, "name"),
			       il > 24 ? img + il - 24 : img, status, created);
		}
	}
	vl_reply_release(&rep);
	return 0;
}

int ctl_logs(int argc, char **argv)
{
	bool follow = false, ts = false;
	long tail = -1;
	int o;
	static const struct option longs[] = { { "follow", 0, NULL, 'f' }, { "tail", 1, NULL, 'n' },
						{ "timestamps", 0, NULL, 't' }, { 0 } };
	optind = 1;
	while ((o = getopt_long(argc, argv, "+fn:t", longs, NULL)) != -1) {
		if (o == 'f') follow = true;
		else if (o == 'n') tail = strtol(optarg, NULL, 10);
		else if (o == 't') ts = true;
		else return 2;
	}
	if (argc - optind != 1)
		return ctl_fail("logs", "expected one container"), 2;
	if (follow)
		ctl_timeout_ms = -1;
	return ctl_stream_logs(argv[optind], follow, tail, ts);
}

int ctl_stats(int argc, char **argv)
{
	if (ctl_json)
		return ctl_by_id(M("Stats"), argc, argv, NULL, NULL, false, true);
	printf("%-12s  %12s  %12s  %6s  %12s  %12s\n", "CONTAINER ID", "CPU (usec)", "MEMORY", "PIDS", "IO READ", "IO WRITE");
	for (int i = 0; i < argc; i++) {
		_cleanup_free_ char *p = ctl_obj_id("id", argv[i]);
		_cleanup_vl_client_ vl_client *c = NULL;
		vl_reply rep;
		if (ctl_call(&c, M("Stats"), p, false, &rep))
			return 1;
		yajl_val s = json_get(rep.params, "stats");
		long long v[5] = { 0 };
		const char *k[5] = { "cpuUsageUsec", "memoryBytes", "pids", "ioReadBytes", "ioWriteBytes" };
		for (int j = 0; j < 5; j++)
			json_int_in(json_get(s, k[j]), 0, 1ll << 62, &v[j]);
		printf("%-12.12s  %12lld  %12lld  %6lld  %12lld  %12lld\n", ctl_str(s, "id"), v[0], v[1], v[2], v[3], v[4]);
		vl_reply_release(&rep);
	}
	return 0;
}

int ctl_events(int argc, char **argv)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1;
	if (ctl_call(&c, M("Events"), argc && !strcmp(argv[0], "--since") && argc > 1 ?
			 ctl_obj_id("since", argv[1]) : "{}", true, &rep))
		return 1;
	for (;;) {
		yajl_val e = json_get(rep.params, "event");
		if (ctl_json) {
			_cleanup_free_ char *s = ctl_to_json(e, false);
			printf("%s\n", s ? s : "{}");
		} else {
			printf("%s %s %s %.12s %s", ctl_str(e, "time"), ctl_str(e, "type"), ctl_str(e, "action"),
			       ctl_str(e, "id"), ctl_str(e, "name"));
			yajl_val a = json_get(e, "attributes");
			for (size_t i = 0; YAJL_IS_OBJECT(a) && i < a->u.object.len; i++)
				printf(" %s=%s", a->u.object.keys[i],
				       YAJL_IS_STRING(a->u.object.values[i]) ? a->u.object.values[i]->u.string : "");
			printf("\n");
		}
		fflush(stdout);
		bool more = rep.continues;
		vl_reply_release(&rep);
		cerr err = { 0 };
		if (!more || vl_client_recv(c, &rep, &err) < 0) {
			cerr_clear(&err);
			return 0;
		}
		if (rep.error) {
			vl_reply_release(&rep);
			return 1;
		}
	}
}
