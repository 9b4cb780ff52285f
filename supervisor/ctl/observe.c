/* corralctl ps, logs and events: what containers are and what they say.
 * (stats is in stats.c.) */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ctl_stream_logs(const char *id, bool follow, long tail, bool ts, const char *since)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(id);
	if (!g || (follow && jg_key_bool(g, "follow", true)) || (tail >= 0 && jg_key_int(g, "tail", tail)) ||
	    (since && jg_key_str(g, "since", since)))
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
			       opt_str(a, "since"));
}

/* ---- ps ---- */

/* --filter KEY=VALUE: the same key again widens (or), keys narrow (and). */
static const char *const ps_filter_keys[] = { "status", "label", "name", "id", NULL };

static bool filter_one(yajl_val ctr, const char *key, const char *val)
{
	if (streq(key, "status"))
		return streq(ctl_str(tmpl_field(ctr, "state", 5), "status"), val);
	if (streq(key, "name"))
		return strstr(ctl_str(ctr, "name"), val) != NULL;
	if (streq(key, "id"))
		return !strncmp(ctl_str(ctr, "id"), val, strlen(val));
	/* label=KEY or label=KEY=VALUE */
	const char *eq = strchr(val, '=');
	_cleanup_free_ char *k = eq ? strndup(val, (size_t)(eq - val)) : strdup(val);
	yajl_val l = k ? json_get(tmpl_field(ctr, "labels", 6), k) : NULL;
	return YAJL_IS_STRING(l) && (!eq || streq(l->u.string, eq + 1));
}

static bool filters_match(yajl_val ctr, const ctl_optval *f)
{
	for (size_t k = 0; ps_filter_keys[k]; k++) {
		size_t klen = strlen(ps_filter_keys[k]);
		bool any = false, hit = false;
		for (size_t i = 0; i < f->n; i++) {
			if (strncmp(f->list[i], ps_filter_keys[k], klen) || f->list[i][klen] != '=')
				continue;
			any = true;
			hit = hit || filter_one(ctr, ps_filter_keys[k], f->list[i] + klen + 1);
		}
		if (any && !hit)
			return false;
	}
	return true;
}

static int check_filters(const ctl_optval *f)
{
	for (size_t i = 0; i < f->n; i++) {
		bool ok = false;
		for (size_t k = 0; ps_filter_keys[k]; k++) {
			size_t klen = strlen(ps_filter_keys[k]);
			ok = ok || (!strncmp(f->list[i], ps_filter_keys[k], klen) && f->list[i][klen] == '=');
		}
		if (!ok)
			return ctl_failf("ps: --filter %s: must be status=, label=, name= or id=", f->list[i]);
	}
	return 0;
}

/* "Up 5 minutes (healthy)", "Exited (0) 2 seconds ago", as podman's STATUS. */
static void status_text(yajl_val st, char *buf, size_t n)
{
	const char *s = ctl_str(st, "status"), *health = ctl_str(tmpl_field(st, "health", 6), "status");
	char d[48], h[24] = "";
	if (health[0] && !streq(health, "none"))
		snprintf(h, sizeof(h), " (%s)", health);
	if (streq(s, "running") || streq(s, "paused"))
		snprintf(buf, n, "Up %s%s", human_duration(human_seconds_since(ctl_str(st, "startedAt")), d, sizeof(d)),
			 streq(s, "paused") ? " (paused)" : h);
	else if (streq(s, "exited") || streq(s, "restarting"))
		snprintf(buf, n, "%s (%lld) %s", streq(s, "exited") ? "Exited" : "Restarting", ctl_int(st, "exitCode", 0),
			 human_ago(ctl_str(st, "finishedAt"), d, sizeof(d)));
	else
		snprintf(buf, n, "%c%s", s[0] ? s[0] - 'a' + 'A' : '-', s[0] ? s + 1 : "");
}

/* One row of ps's table: podman's field names, over a Container. */
static int gen_ps_row(yajl_gen g, yajl_val x, bool no_trunc)
{
	yajl_val st = tmpl_field(x, "state", 5), config = tmpl_field(x, "config", 6);
	/* the process as podman shows it: the entrypoint given, then the command */
	yajl_val parts[] = { tmpl_field(config, "entrypoint", 10), tmpl_field(config, "command", 7) };
	char status[96], created[64];
	_cleanup_strbuf_ strbuf command = STRBUF_INIT;
	for (size_t p = 0; p < ARRAY_SIZE(parts); p++)
		for (size_t i = 0; YAJL_IS_ARRAY(parts[p]) && i < parts[p]->u.array.len; i++)
			sb_addf(&command, "%s%s", command.len ? " " : "",
				YAJL_IS_STRING(parts[p]->u.array.values[i]) ? parts[p]->u.array.values[i]->u.string : "");
	if (!no_trunc && command.len > 20)
		strcpy(command.buf + 17, "...");
	status_text(st, status, sizeof(status));
	human_ago(ctl_str(x, "created"), created, sizeof(created));
	char id[13];
	snprintf(id, sizeof(id), "%.12s", ctl_str(x, "id"));
	return yajl_gen_map_open(g) || jg_key_str(g, "ID", no_trunc ? ctl_str(x, "id") : id) ||
	       jg_key_str(g, "Names", ctl_str(x, "name")) || jg_key_str(g, "Image", ctl_str(x, "image")) ||
	       jg_key_str(g, "Command", command.buf ? command.buf : "") || jg_key_str(g, "Created", created) ||
	       jg_key_str(g, "RunningFor", created) || jg_key_str(g, "CreatedAt", ctl_str(x, "created")) ||
	       jg_key_str(g, "Status", status) || jg_key_str(g, "State", ctl_str(st, "status")) ||
	       jg_key_int(g, "ExitCode", ctl_int(st, "exitCode", 0)) || jg_key_int(g, "Pid", ctl_int(st, "pid", 0)) ||
	       jg_key_int(g, "Restarts", ctl_int(st, "restartCount", 0)) || jg_key_str(g, "Ports", "") ||
	       jg_key(g, "Labels") || jg_value(g, tmpl_field(x, "labels", 6)) || yajl_gen_map_close(g);
}

static const tmpl_title ps_titles[] = { { "ID", "CONTAINER ID" }, { NULL, NULL } };

static int v_ps(ctl_args *a)
{
	const ctl_optval *f = opt_val(a, "filter");
	if (check_filters(f))
		return EXIT_CTL;
	bool all = opt_on(a, "all");
	for (size_t i = 0; i < f->n; i++)
		all = all || !strncmp(f->list[i], "status=", 7); /* as podman: a status filter looks at all */
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("List"), all ? "{\"all\":true}" : "{}", false, &rep))
		return EXIT_CTL;
	yajl_val l = json_get(rep.params, "containers");
	_cleanup_json_gen_ yajl_gen items = json_gen_new(false), rows = json_gen_new(false);
	int r = !items || !rows || yajl_gen_array_open(items) || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(l) && i < l->u.array.len; i++) {
		yajl_val x = l->u.array.values[i];
		if (filters_match(x, f))
			r = jg_value(items, x) || gen_ps_row(rows, x, opt_on(a, "no-trunc"));
	}
	vl_reply_release(&rep);
	if (r)
		return ctl_fail("ps", "out of memory");
	if (opt_on(a, "quiet") && !ctl_format && !ctl_json)
		ctl_format = "{{.ID}}";
	return ctl_output_gen(items, rows, "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.Created}}\\t{{.Status}}\\t{{.Ports}}"
				  "\\t{{.Names}}",
			  ps_titles);
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
	printf("%s %s %s %.12s %s", ctl_str(e, "time"), ctl_str(e, "type"), ctl_str(e, "action"), ctl_str(e, "id"),
	       ctl_str(e, "name"));
	yajl_val at = json_get(e, "attributes");
	for (size_t i = 0; YAJL_IS_OBJECT(at) && i < at->u.object.len; i++)
		printf(" %s=%s", at->u.object.keys[i],
		       YAJL_IS_STRING(at->u.object.values[i]) ? at->u.object.values[i]->u.string : "");
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
	CTL_OPT_WORKLOAD_CONTAINER,
	{ NULL },
};
static const ctl_opt ps_opts[] = {
	{ "all", 'a', OPT_FLAG, "", "all containers, not only the running ones" },
	{ "quiet", 'q', OPT_FLAG, "", "print only the ids" },
	{ "filter", 'f', OPT_LIST, "KEY=VALUE", "only those matching: status=, label=KEY[=VALUE], name=, id=" },
	{ "no-trunc", 0, OPT_FLAG, "", "print whole ids and commands" },
	CTL_OPT_FORMAT,
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
	{ "ps", "", "List containers: running ones, or all", ps_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE, v_ps },
	{ "logs", "CONTAINER|WORKLOAD", "Print a container's log, or a workload's (deploy/NAME)", logs_opts, 1, 1, 0, COMPLETE_CONTAINERS, v_logs },
	{ "events", "", "Print corrald's events as they happen", events_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE,
	  v_events },
	{ NULL },
};
