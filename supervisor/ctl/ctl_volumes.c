/* corralctl's volume verbs: volume create, ls, inspect, rm, prune. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEY=VALUE words of a list option into an object at key */
static int add_map(const ctl_args *a, yajl_gen g, const char *opt, const char *key)
{
	const ctl_optval *v = opt_val(a, opt);
	if (!v || !v->list)
		return 0;
	int r = jg_key(g, key) || yajl_gen_map_open(g);
	for (char **p = v->list; !r && *p; p++) {
		const char *eq = strchr(*p, '=');
		_cleanup_free_ char *k = eq ? strndup(*p, (size_t)(eq - *p)) : strdup(*p);
		r = !k || jg_key_str(g, k, eq ? eq + 1 : "");
	}
	return r || yajl_gen_map_close(g);
}

static int v_create(ctl_args *a)
{
	yajl_gen p = ctl_params(NULL);
	if (!p || (a->argc > 0 && jg_key_str(p, "name", a->argv[0])) || add_map(a, p, "label", "labels") ||
	    add_map(a, p, "opt", "driverOpts")) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("volume create", "out of memory");
	}
	if (opt_on(a, "driver") && !streq(opt_str(a, "driver"), "local")) {
		yajl_gen_free(p);
		return ctl_failf("volume create: driver %s: only local is known", opt_str(a, "driver"));
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("VolumeCreate"), p, false, &rep))
		return EXIT_CTL;
	yajl_val v = json_get(rep.params, "volume");
	int r = ctl_json ? ctl_print_json(v) : (printf("%s\n", ctl_str(v, "name")), 0);
	vl_reply_release(&rep);
	return r;
}

static const tmpl_title vol_titles[] = { { "Driver", "DRIVER" }, { "Name", "VOLUME NAME" }, { NULL, NULL } };

static int show_list(yajl_val reply)
{
	yajl_val list = json_get(reply, "volumes");
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val v = list->u.array.values[i];
		r = yajl_gen_map_open(rows) || jg_key_str(rows, "Name", ctl_str(v, "name")) ||
		    jg_key_str(rows, "Driver", ctl_str(v, "driver")) ||
		    jg_key_str(rows, "Mountpoint", ctl_str(v, "mountpoint")) ||
		    jg_key_str(rows, "CreatedAt", ctl_str(v, "created")) ||
		    jg_key_str(rows, "InUse", YAJL_IS_TRUE(json_get(v, "inUse")) ? "true" : "false") ||
		    yajl_gen_map_close(rows);
	}
	if (r || yajl_gen_array_close(rows))
		return ctl_fail("volume ls", "out of memory");
	_cleanup_json_ yajl_val rw = ctl_gen_tree(rows);
	if (!rw)
		return EXIT_CTL;
	return ctl_output(list, rw, "table {{.Driver}}\t{{.Name}}", vol_titles);
}

static int v_ls(ctl_args *a)
{
	yajl_gen p = ctl_params(NULL);
	const ctl_optval *f = opt_val(a, "filter");
	int r = !p;
	if (!r && f && f->list) {
		r = jg_key(p, "filters") || yajl_gen_array_open(p);
		for (char **s = f->list; !r && *s; s++)
			r = jg_str(p, *s);
		r = r || yajl_gen_array_close(p);
	}
	if (r || yajl_gen_map_close(p)) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("volume ls", "out of memory");
	}
	size_t len;
	const unsigned char *buf;
	yajl_gen_get_buf(p, &buf, &len);
	_cleanup_free_ char *params = strndup((const char *)buf, len);
	yajl_gen_free(p);
	if (!params)
		return ctl_fail("volume ls", "out of memory");
	if (opt_on(a, "quiet")) {
		_cleanup_vl_client_ vl_client *c = NULL;
		vl_reply rep;
		if (ctl_call(&c, M("VolumeList"), params, false, &rep))
			return EXIT_CTL;
		yajl_val list = json_get(rep.params, "volumes");
		for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
			printf("%s\n", ctl_str(list->u.array.values[i], "name"));
		vl_reply_release(&rep);
		return 0;
	}
	return ctl_call_show(M("VolumeList"), params, show_list);
}

static int show_one(const ctl_args *a, const char *arg, yajl_val reply)
{
	return ctl_print_json(json_get(reply, "volume"));
}

static int v_inspect(ctl_args *a)
{
	return ctl_each(a, M("VolumeInspect"), "name", NULL, show_one);
}

static int v_rm(ctl_args *a)
{
	return ctl_each(a, M("VolumeRemove"), "name", ctl_add_force, NULL);
}

static int v_prune(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("VolumePrune"), "{}", false, &rep))
		return EXIT_CTL;
	if (ctl_json) {
		int r = ctl_print_json(rep.params);
		vl_reply_release(&rep);
		return r;
	}
	yajl_val list = json_get(rep.params, "removed");
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
		if (YAJL_IS_STRING(list->u.array.values[i]))
			printf("%s\n", list->u.array.values[i]->u.string);
	char size[32];
	human_size(ctl_int(rep.params, "reclaimedBytes", 0), size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	vl_reply_release(&rep);
	return 0;
}

static const ctl_opt create_opts[] = {
	{ "driver", 'd', OPT_STR, "DRIVER", "the driver: local, the only one" },
	{ "label", 'l', OPT_LIST, "KEY=VALUE", "a label (may be given many times)" },
	{ "opt", 'o', OPT_LIST, "KEY=VALUE", "a driver option: type=tmpfs, o=size=64m; type=none, o=bind, device=/path" },
	{ NULL },
};
static const ctl_opt ls_opts[] = {
	CTL_OPT_FORMAT,
	{ "filter", 'f', OPT_LIST, "KEY=VALUE", "name=, label=KEY[=VALUE], dangling=true|false, driver=local" },
	{ "quiet", 'q', OPT_FLAG, "", "names only" },
	{ NULL },
};
static const ctl_opt rm_opts[] = {
	{ "force", 'f', OPT_FLAG, "", "remove it even while a container holds it" },
	{ NULL },
};
const ctl_cmd ctl_volume_cmds[] = {
	{ "volume create", "[NAME]", "Create a volume (a name is made up when none is given)", create_opts, 0, 1, 0,
	  COMPLETE_NONE, v_create },
	{ "volume ls", "", "List volumes", ls_opts, 0, 0, CMD_FORMAT, COMPLETE_NONE, v_ls },
	{ "volume inspect", "NAME...", "Show volumes as JSON", NULL, 1, -1, 0, COMPLETE_NONE, v_inspect },
	{ "volume rm", "NAME...", "Remove volumes no container holds (-f: even then)", rm_opts, 1, -1, 0,
	  COMPLETE_NONE, v_rm },
	{ "volume prune", "", "Remove every volume no container holds", NULL, 0, 0, 0, COMPLETE_NONE, v_prune },
	{ NULL },
};
