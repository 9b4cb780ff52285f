/* corralctl logs and events: what containers say, and what happens.
 * (ps is in ps.c, stats in stats.c.) */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/target.h"
#include "supervisor/ctl/observe.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/api/owned_name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each line to its own stream, in the log's order: stdout is flushed
 * before a line goes to stderr, so `logs 2>&1 | cat` keeps the order. */
void ctl_print_log_lines(yajl_val p, bool ts)
{
	yajl_val lines = json_get(p, "lines");
	for (size_t i = 0; YAJL_IS_ARRAY(lines) && i < lines->u.array.len; i++) {
		yajl_val l = lines->u.array.values[i];
		bool err = streq(ctl_str(l, "stream"), "stderr");
		FILE *f = err ? stderr : stdout;
		if (err)
			fflush(stdout);
		if (ts)
			fprintf(f, "%s ", ctl_str(l, "time"));
		fputs(ctl_str(l, "line"), f);
		if (!YAJL_IS_TRUE(json_get(l, "partial")))
			fputc('\n', f);
	}
	fflush(stdout);
}

int ctl_stream_logs(const char *id, bool follow, long tail, bool ts, const char *since, const char *until)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(id);
	if (!g || (follow && jg_key_bool(g, "follow", true)) || (tail >= 0 && jg_key_int(g, "tail", tail)) ||
	    (since && jg_key_str(g, "since", since)) || (until && jg_key_str(g, "until", until)))
		return ctl_fail("logs", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Logs"), TAKE_PTR(g), follow, &rep))
		return EXIT_CTL;
	for (;;) {
		ctl_print_log_lines(rep.params, ts);
		bool more = rep.continues;
		vl_reply_release(&rep);
		if (!more)
			return 0;
		if (ctl_recv(c, M("Logs"), &rep))
			return EXIT_CTL;
	}
}

static int v_logs(ctl_args *a)
{
	bool follow = opt_on(a, "follow");
	_cleanup_free_ char *id = NULL;
	if (ctl_target_container("logs", a->argv[0], opt_str(a, "container"), &id))
		return EXIT_CTL;
	if (follow)
		ctl_timeout_ms = -1;
	return ctl_stream_logs(id ? id : a->argv[0], follow, opt_num(a, "tail", -1), opt_on(a, "timestamps"),
			       opt_str(a, "since"), opt_str(a, "until"));
}

/* ---- events ---- */

/* podman's filter names onto corrald's: container= and event= too. */
static const struct {
	const char *flag, *key;
} event_filters[] = {
	{ "type", "type" }, { "event", "action" }, { "action", "action" }, { "container", "name" },
	{ "name", "name" }, { "id", "id" }, { "session", "session" },
};

/* --filter KEY=VALUE..., and --session NAME as session=NAME. */
static int gen_event_filters(yajl_gen g, const ctl_optval *f, const char *session)
{
	if (!f->n && !session)
		return 0;
	if (jg_key(g, "filters") || yajl_gen_map_open(g))
		return ctl_fail("events", "out of memory");
	const char *seen[ARRAY_SIZE(event_filters)] = { 0 };
	if (session) {
		seen[ARRAY_SIZE(event_filters) - 1] = "session";
		if (jg_key_str(g, "session", session))
			return ctl_fail("events", "out of memory");
	}
	for (size_t i = 0; i < f->n; i++) {
		const char *eq = strchr(f->list[i], '=');
		size_t k = 0, klen = eq ? (size_t)(eq - f->list[i]) : 0;
		while (k < ARRAY_SIZE(event_filters) &&
		       (strlen(event_filters[k].flag) != klen || strncmp(f->list[i], event_filters[k].flag, klen)))
			k++;
		if (k == ARRAY_SIZE(event_filters))
			return ctl_failf("events: --filter %s: must be type=, event=, container=, name=, id= or session=",
					 f->list[i]);
		for (size_t j = 0; j < ARRAY_SIZE(seen); j++)
			if (seen[j] && streq(seen[j], event_filters[k].key))
				return ctl_failf("events: --filter %s: one value a key", f->list[i]);
		seen[k] = event_filters[k].key;
		if (jg_key_str(g, event_filters[k].key, eq + 1))
			return ctl_fail("events", "out of memory");
	}
	return yajl_gen_map_close(g) ? ctl_fail("events", "out of memory") : 0;
}

static void print_event(yajl_val e)
{
	const char *type = ctl_str(e, "type"), *id = ctl_str(e, "id"), *name = ctl_str(e, "name");
	char shown[512];
	int id_width = 12; /* a container's or image's: as ps shows it */
	if (owned_type(type)) /* root is shown a member's as NAME@UID */
		name = owned_event_name(e, getuid(), shown, sizeof(shown));
	if (streq(type, "volume")) {
		id = name;
		id_width = (int)strlen(id);
	}
	printf("%s %s %s %.*s %s", ctl_str(e, "time"), type, ctl_str(e, "action"), id_width, id, name);
	yajl_val at = json_get(e, "attributes");
	for (size_t i = 0; YAJL_IS_OBJECT(at) && i < at->u.object.len; i++) {
		yajl_val value = at->u.object.values[i];
		const char *k = at->u.object.keys[i], *v = YAJL_IS_STRING(value) ? value->u.string : "";
		if (streq(k, "session")) /* as its owner names it: root is shown a member's NAME@UID */
			v = owned_event_ref(e, v, getuid(), shown, sizeof(shown));
		printf(" %s=%s", k, v);
	}
	printf("\n");
}

static int v_events(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || (opt_on(a, "since") && jg_key_str(g, "since", opt_str(a, "since"))) ||
	    (opt_on(a, "until") && jg_key_str(g, "until", opt_str(a, "until"))))
		return ctl_fail("events", "out of memory");
	if (gen_event_filters(g, opt_val(a, "filter"), opt_on(a, "session") ? opt_str(a, "session") : NULL))
		return EXIT_CTL;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1;
	if (ctl_call_gen(&c, M("Events"), TAKE_PTR(g), true, &rep))
		return EXIT_CTL;
	for (int rc = 0;; rc = ctl_recv(c, M("Events"), &rep)) {
		if (rc)
			return rc;
		yajl_val e = json_get(rep.params, "event");
		if (e && (ctl_json || ctl_format)) {
			_cleanup_strbuf_ strbuf line = STRBUF_INIT;
			_cleanup_cerr_ cerr err = { 0 };
			if (ctl_json) {
				_cleanup_free_ char *s = ctl_to_json(e, false);
				printf("%s\n", s ? s : "{}");
			} else if (tmpl_render(ctl_format, e, false, NULL, &line, &err) < 0) {
				vl_reply_release(&rep);
				ctl_failf("events: --format %s: %s", ctl_format, cerr_msg(&err));
				return EXIT_CTL;
			} else {
				printf("%s\n", line.buf ? line.buf : "");
			}
		} else if (e) {
			print_event(e);
		}
		fflush(stdout);
		bool more = rep.continues;
		vl_reply_release(&rep);
		if (!more)
			return 0;
	}
}

static const ctl_opt logs_opts[] = {
	{ "follow", 'f', OPT_FLAG, "", "go on printing what it writes, until it stops" },
	{ "tail", 'n', OPT_INT, "N", "only the last N lines" },
	{ "timestamps", 't', OPT_FLAG, "", "begin each line with its time" },
	{ "since", 0, OPT_TIME, "TIME", "only lines since TIME: RFC 3339, epoch seconds, or ago (10m, 1h)" },
	{ "until", 0, OPT_TIME, "TIME", "only lines up to TIME (as --since); with -f, stop there" },
	CTL_OPT_WORKLOAD_CONTAINER,
	{ NULL },
};
static const ctl_opt events_opts[] = {
	{ "since", 0, OPT_TIME, "TIME", "replay events since TIME: RFC 3339, epoch seconds, or ago (10m, 1h)" },
	{ "until", 0, OPT_TIME, "TIME", "stop at TIME (as --since); without it, stream until interrupted" },
	{ "filter", 'f', OPT_LIST, "KEY=VALUE", "only those matching: type=, event=, container=, name=, id=, session=" },
	{ "session", 0, OPT_STR, "SESSION", "only the session's events and its members'" },
	CTL_OPT_FORMAT,
	{ NULL },
};

const ctl_cmd ctl_observe_cmds[] = {
	{ "logs", "CONTAINER|WORKLOAD", "Print a container's log, or a workload's (deploy/NAME)", logs_opts, 1, 1, 0, COMPLETE_CONTAINERS, v_logs },
	{ "events", "", "Print corrald's events as they happen", events_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE,
	  v_events },
	{ NULL },
};
