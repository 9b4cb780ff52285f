/* corralctl ps: the containers, as podman's ps lists them. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/template/template_value.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --filter KEY=VALUE: the same key again widens (or), keys narrow (and). */
static const char *const ps_filter_keys[] = { "status", "label", "name", "id", "ancestor", NULL };

/* What each --filter ancestor=IMAGE names, looked up as everywhere an image
 * is named (name, name:tag, ID, ID prefix): its ID, or NULL when the store
 * has no such image (then it matches by the name the container keeps). */
typedef struct ps_filters {
	const ctl_optval *f;
	char **image_ids; /* parallel to f->list */
} ps_filters;

static void ps_filters_release(ps_filters *p)
{
	for (size_t i = 0; p->image_ids && i < p->f->n; i++)
		free(p->image_ids[i]);
	free(p->image_ids);
}

static bool ancestor_matches(yajl_val row, const char *val, const char *image_id)
{
	if (image_id)
		return streq(ctl_str(row, "imageDigest"), image_id);
	/* podman's: the name it was created from, or NAME for NAME:latest */
	const char *name = ctl_str(row, "image"), *colon = strrchr(name, ':');
	size_t vl = strlen(val);
	return streq(name, val) || (colon && streq(colon, ":latest") && (size_t)(colon - name) == vl &&
				    !strncmp(name, val, vl));
}

static bool filter_one(yajl_val row, const char *key, const char *val, const char *image_id)
{
	if (streq(key, "status"))
		return streq(ctl_str(tmpl_field(row, "state", 5), "status"), val);
	char name[512];
	if (streq(key, "name"))
		return strstr(ctl_owned_name(row, name, sizeof(name)), val) != NULL;
	if (streq(key, "id"))
		return !strncmp(ctl_str(row, "id"), val, strlen(val));
	if (streq(key, "ancestor"))
		return ancestor_matches(row, val, image_id);
	/* label=KEY or label=KEY=VALUE */
	const char *eq = strchr(val, '=');
	_cleanup_free_ char *k = eq ? strndup(val, (size_t)(eq - val)) : strdup(val);
	yajl_val l = k ? json_get(tmpl_field(row, "labels", 6), k) : NULL;
	return YAJL_IS_STRING(l) && (!eq || streq(l->u.string, eq + 1));
}

static bool has_key(const char *filter, const char *key)
{
	size_t klen = strlen(key);
	return !strncmp(filter, key, klen) && filter[klen] == '=';
}

static bool filters_match(yajl_val row, const ps_filters *p)
{
	const ctl_optval *f = p->f;
	for (size_t k = 0; ps_filter_keys[k]; k++) {
		bool any = false, hit = false;
		for (size_t i = 0; i < f->n; i++) {
			if (!has_key(f->list[i], ps_filter_keys[k]))
				continue;
			any = true;
			hit = hit || filter_one(row, ps_filter_keys[k], f->list[i] + strlen(ps_filter_keys[k]) + 1,
						p->image_ids[i]);
		}
		if (any && !hit)
			return false;
	}
	return true;
}

/* Every filter's key known; each ancestor's image looked up. */
static int ps_filters_load(ps_filters *p)
{
	const ctl_optval *f = p->f;
	if (!(p->image_ids = calloc(f->n + 1, sizeof(char *))))
		return ctl_fail("ps", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	for (size_t i = 0; i < f->n; i++) {
		bool ok = false;
		for (size_t k = 0; ps_filter_keys[k]; k++)
			ok = ok || has_key(f->list[i], ps_filter_keys[k]);
		if (!ok)
			return ctl_failf("ps: --filter %s: must be status=, label=, name=, id= or ancestor=", f->list[i]);
		if (!has_key(f->list[i], "ancestor"))
			continue;
		yajl_gen g = ctl_params(NULL);
		vl_reply rep;
		if (g && jg_key_str(g, "image", f->list[i] + strlen("ancestor="))) {
			yajl_gen_free(g);
			g = NULL;
		}
		int r = ctl_call_gen_tolerating(&c, M("ImageInspect"), g, "NoSuchImage", &rep);
		if (r == 1)
			continue; /* not in the store: by name alone */
		if (r)
			return EXIT_CTL;
		p->image_ids[i] = strdup(ctl_str(json_get(rep.params, "image"), "id"));
		vl_reply_release(&rep);
		if (!p->image_ids[i])
			return ctl_fail("ps", "out of memory");
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

/* The args it runs; from a corrald that does not say, the entrypoint and
 * command it was given. */
static int command_text(yajl_val x, strbuf *out)
{
	yajl_val config = tmpl_field(x, "config", 6), run = tmpl_field(x, "command", 7);
	yajl_val parts[] = { run, NULL };
	if (!YAJL_IS_ARRAY(run)) {
		parts[0] = tmpl_field(config, "entrypoint", 10);
		parts[1] = tmpl_field(config, "command", 7);
	}
	int r = 0;
	for (size_t p = 0; p < ARRAY_SIZE(parts); p++)
		for (size_t i = 0; !r && YAJL_IS_ARRAY(parts[p]) && i < parts[p]->u.array.len; i++)
			r = sb_addf(out, "%s%s", out->len ? " " : "",
				    YAJL_IS_STRING(parts[p]->u.array.values[i]) ? parts[p]->u.array.values[i]->u.string : "");
	return r;
}

/* ---- PORTS: podman's "0.0.0.0:8080-8081->80-81/tcp, ..." ---- */

typedef struct port_row {
	const char *ip, *proto;
	long long host, inside;
} port_row;

static int port_order(const void *pa, const void *pb)
{
	const port_row *a = pa, *b = pb;
	int c = strcmp(a->ip, b->ip);
	if (!c)
		c = strcmp(a->proto, b->proto);
	return c ? c : (a->inside > b->inside) - (a->inside < b->inside);
}

/* By address, protocol and container port; runs of ports consecutive on
 * both sides as one range, as podman groups them. */
static int ports_text(yajl_val ports, strbuf *out)
{
	size_t n = YAJL_IS_ARRAY(ports) ? ports->u.array.len : 0;
	if (!n)
		return 0;
	_cleanup_free_ port_row *v = calloc(n, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		yajl_val p = ports->u.array.values[i];
		v[i] = (port_row){ ctl_str(p, "hostIP")[0] ? ctl_str(p, "hostIP") : "0.0.0.0",
				   ctl_str(p, "protocol")[0] ? ctl_str(p, "protocol") : "tcp", ctl_int(p, "hostPort", 0),
				   ctl_int(p, "containerPort", 0) };
	}
	qsort(v, n, sizeof(*v), port_order);
	int r = 0;
	for (size_t i = 0, end; !r && i < n; i = end + 1) {
		for (end = i; end + 1 < n && streq(v[end + 1].ip, v[i].ip) && streq(v[end + 1].proto, v[i].proto) &&
			      v[end + 1].host == v[end].host + 1 && v[end + 1].inside == v[end].inside + 1;)
			end++;
		r = sb_addf(out, "%s%s:%lld", i ? ", " : "", v[i].ip, v[i].host);
		if (!r && end > i)
			r = sb_addf(out, "-%lld", v[end].host);
		if (!r)
			r = sb_addf(out, "->%lld", v[i].inside);
		if (!r && end > i)
			r = sb_addf(out, "-%lld", v[end].inside);
		if (!r)
			r = sb_addf(out, "/%s", v[i].proto);
	}
	return r;
}

/* ---- SIZE: "12B (virtual 1.98MB)" ---- */

/* The images' sizes, as corrald reckons them for `images`. */
static int load_image_sizes(yajl_val *images)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("ImageList"), "{}", false, &rep))
		return EXIT_CTL;
	yajl_val l = json_get(rep.params, "images");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || jg_value(g, l);
	vl_reply_release(&rep);
	if (r || !(*images = ctl_gen_tree(g)))
		return ctl_fail("ps", "out of memory");
	return 0;
}

static long long image_size(yajl_val images, const char *id)
{
	for (size_t i = 0; YAJL_IS_ARRAY(images) && i < images->u.array.len; i++)
		if (streq(ctl_str(images->u.array.values[i], "id"), id))
			return ctl_int(images->u.array.values[i], "size", 0);
	return 0;
}

/* ---- -l, -n N: the last created ---- */

/* Whether x is among the last n created of rows (by their created time). */
static bool among_last(yajl_val rows, yajl_val x, long long n)
{
	const char *mine = ctl_str(x, "created");
	long long later = 0;
	for (size_t i = 0; i < rows->u.array.len; i++) {
		yajl_val o = rows->u.array.values[i];
		int c = strcmp(ctl_str(o, "created"), mine);
		later += c > 0 || (c == 0 && strcmp(ctl_str(o, "id"), ctl_str(x, "id")) > 0);
	}
	return later < n;
}

/* One row of ps's table: podman's field names, over a Container. */
static int gen_ps_row(yajl_gen g, yajl_val x, bool no_trunc, yajl_val images)
{
	yajl_val st = tmpl_field(x, "state", 5);
	char status[96], created[64];
	_cleanup_strbuf_ strbuf command = STRBUF_INIT, ports = STRBUF_INIT;
	if (command_text(x, &command) || ports_text(tmpl_field(x, "ports", 5), &ports))
		return -1;
	if (!no_trunc && command.len > 20)
		strcpy(command.buf + 17, "...");
	status_text(st, status, sizeof(status));
	human_ago(ctl_str(x, "created"), created, sizeof(created));
	char id[13], rw[32], virt[32], size[80] = "", name[512];
	snprintf(id, sizeof(id), "%.12s", ctl_str(x, "id"));
	if (images)
		snprintf(size, sizeof(size), "%s (virtual %s)", human_size(ctl_int(x, "sizeRw", 0), rw, sizeof(rw)),
			 human_size(image_size(images, ctl_str(x, "imageDigest")), virt, sizeof(virt)));
	return yajl_gen_map_open(g) || jg_key_str(g, "ID", no_trunc ? ctl_str(x, "id") : id) ||
	       jg_key_str(g, "Names", ctl_owned_name(x, name, sizeof(name))) || jg_key_str(g, "Image", ctl_str(x, "image")) ||
	       jg_key_str(g, "ImageID", ctl_str(x, "imageDigest")) ||
	       jg_key_str(g, "Command", command.buf ? command.buf : "") || jg_key_str(g, "Created", created) ||
	       jg_key_str(g, "RunningFor", created) || jg_key_str(g, "CreatedAt", ctl_str(x, "created")) ||
	       jg_key_str(g, "Status", status) || jg_key_str(g, "State", ctl_str(st, "status")) ||
	       jg_key_int(g, "ExitCode", ctl_int(st, "exitCode", 0)) || jg_key_int(g, "Pid", ctl_int(st, "pid", 0)) ||
	       jg_key_int(g, "Restarts", ctl_int(st, "restartCount", 0)) ||
	       jg_key_str(g, "Ports", ports.buf ? ports.buf : "") || (images && jg_key_str(g, "Size", size)) ||
	       jg_key(g, "Labels") || jg_value(g, tmpl_field(x, "labels", 6)) || yajl_gen_map_close(g);
}

static const tmpl_title ps_titles[] = { { "ID", "CONTAINER ID" }, { NULL, NULL } };

#define PS_TABLE "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.Created}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}"

static int v_ps(ctl_args *a)
{
	_cleanup_(ps_filters_release) ps_filters pf = { .f = opt_val(a, "filter") };
	if (ps_filters_load(&pf))
		return EXIT_CTL;
	bool size = opt_on(a, "size");
	long long last = opt_on(a, "latest") ? 1 : opt_num(a, "last", -1);
	/* as podman: a status filter, -l and -n look at all */
	bool all = opt_on(a, "all") || last >= 0;
	for (size_t i = 0; i < pf.f->n; i++)
		all = all || has_key(pf.f->list[i], "status");
	_cleanup_json_ yajl_val images = NULL;
	if (size && !ctl_json && load_image_sizes(&images))
		return EXIT_CTL;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	char params[64];
	snprintf(params, sizeof(params), "{\"all\":%s%s}", all ? "true" : "false", size ? ",\"size\":true" : "");
	if (ctl_call(&c, M("List"), params, false, &rep))
		return EXIT_CTL;
	yajl_val l = json_get(rep.params, "containers");
	_cleanup_json_gen_ yajl_gen items = json_gen_new(false), rows = json_gen_new(false);
	int r = !items || !rows || yajl_gen_array_open(items) || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(l) && i < l->u.array.len; i++) {
		yajl_val x = l->u.array.values[i];
		if (filters_match(x, &pf) && (last < 0 || among_last(l, x, last)))
			r = jg_value(items, x) || gen_ps_row(rows, x, opt_on(a, "no-trunc"), images);
	}
	vl_reply_release(&rep);
	if (r)
		return ctl_fail("ps", "out of memory");
	if (opt_on(a, "quiet") && !ctl_format && !ctl_json)
		ctl_format = "{{.ID}}";
	return ctl_output_gen(items, rows, size ? PS_TABLE "\\t{{.Size}}" : PS_TABLE, ps_titles);
}

static const ctl_opt ps_opts[] = {
	{ "all", 'a', OPT_FLAG, "", "all containers, not only the running ones" },
	{ "quiet", 'q', OPT_FLAG, "", "print only the ids" },
	{ "filter", 'f', OPT_LIST, "KEY=VALUE",
	  "only those matching: status=, label=KEY[=VALUE], name=, id=, ancestor=IMAGE (name[:tag], ID or ID prefix)" },
	{ "latest", 'l', OPT_FLAG, "", "only the container created last (of all)" },
	{ "last", 'n', OPT_INT, "N", "only the N containers created last (of all)" },
	{ "size", 's', OPT_FLAG, "", "a SIZE column: the writable layer's bytes, and the image's (virtual)" },
	{ "no-trunc", 0, OPT_FLAG, "", "print whole ids and commands" },
	CTL_OPT_FORMAT,
	{ NULL },
};

const ctl_cmd ctl_ps_cmds[] = {
	{ "ps", "", "List containers: running ones, or all", ps_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE, v_ps },
	{ NULL },
};
