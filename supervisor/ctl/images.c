/* corralctl's image verbs: image import, ls (images), inspect, rm (rmi),
 * prune. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/template/template_value.h"
#include "supervisor/ctl/containers.h"
#include "supervisor/ctl/paths.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One row of the image table; name is one of its names, or NULL. */
static int gen_image_row(yajl_gen g, yajl_val im, const char *name, bool no_trunc)
{
	const char *id = ctl_str(im, "id"), *slash = name ? strrchr(name, '/') : NULL;
	const char *colon = name ? strrchr(slash ? slash : name, ':') : NULL;
	_cleanup_free_ char *repo = name ? strndup(name, colon ? (size_t)(colon - name) : strlen(name)) : NULL;
	char created[64], size[32], short_id[13];
	id += strncmp(id, "sha256:", 7) ? 0 : 7;
	snprintf(short_id, sizeof(short_id), "%.12s", id);
	human_ago(ctl_str(im, "createdAt"), created, sizeof(created));
	human_size(ctl_int(im, "size", 0), size, sizeof(size));
	return yajl_gen_map_open(g) || jg_key_str(g, "Repository", repo ? repo : "<none>") ||
	       jg_key_str(g, "Tag", colon ? colon + 1 : "<none>") || jg_key_str(g, "Name", name ? name : "<none>") ||
	       jg_key_str(g, "ID", no_trunc ? ctl_str(im, "id") : short_id) ||
	       jg_key_str(g, "Digest", ctl_str(im, "manifestDigest")) || jg_key_str(g, "Created", created) ||
	       jg_key_str(g, "CreatedAt", ctl_str(im, "createdAt")) || jg_key_str(g, "Size", size) ||
	       jg_key(g, "Names") || jg_value(g, tmpl_field(im, "names", 5)) || yajl_gen_map_close(g);
}

static const tmpl_title image_titles[] = { { "ID", "IMAGE ID" }, { NULL, NULL } };
#define IMAGE_TABLE "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}"

/* The images of a reply: a row a name (one an image with quiet). */
static int show_images(yajl_val list, bool quiet, bool no_trunc)
{
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val im = list->u.array.values[i], names = tmpl_field(im, "names", 5);
		size_t n = YAJL_IS_ARRAY(names) && !quiet ? names->u.array.len : 0;
		for (size_t k = 0; !r && k < (n ? n : 1); k++) {
			yajl_val nm = n ? names->u.array.values[k] : NULL;
			r = gen_image_row(rows, im, YAJL_IS_STRING(nm) ? nm->u.string : NULL, no_trunc);
		}
	}
	if (r || yajl_gen_array_close(rows))
		return ctl_fail("images", "out of memory");
	_cleanup_json_ yajl_val rw = ctl_gen_tree(rows);
	if (!rw)
		return EXIT_CTL;
	if (quiet && !ctl_format && !ctl_json)
		ctl_format = "{{.ID}}";
	return ctl_output(list, rw, IMAGE_TABLE, image_titles);
}

static int call_images(const char *method, yajl_gen params, const char *key, const ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1; /* an import or a prune takes its time */
	if (ctl_call_gen(&c, method, params, false, &rep))
		return EXIT_CTL;
	bool quiet = a && opts_find(a->cmd, "quiet") && opt_on(a, "quiet");
	int r = show_images(json_get(rep.params, key), quiet, a && opts_find(a->cmd, "no-trunc") && opt_on(a, "no-trunc"));
	vl_reply_release(&rep);
	return r;
}

/* "oci:rel/dir:tag" -> "oci:/cwd/rel/dir:tag": corrald resolves nothing relative. */
static char *absolute_source(const char *src)
{
	static const char *const pre[] = { "oci:", "oci-archive:", "docker-archive:", NULL };
	size_t pl = 0;
	for (size_t i = 0; pre[i]; i++)
		if (!strncmp(src, pre[i], strlen(pre[i])))
			pl = strlen(pre[i]);
	_cleanup_free_ char *path = ctl_absolute(src + pl);
	char *out = NULL;
	return path && asprintf(&out, "%.*s%s", (int)pl, src, path) >= 0 ? out : NULL;
}

/* Ctrl-C: corrald cancels the import when its caller goes; say so. */
static void on_interrupt(int sig)
{
	static const char msg[] = "corralctl: image import: cancelled\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)w;
	_exit(128 + sig);
}

static int v_import(ctl_args *a)
{
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	_cleanup_free_ char *src = absolute_source(a->argv[0]);
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!src || !g || jg_key_str(g, "path", src) ||
	    (opt_on(a, "format") && jg_key_str(g, "format", opt_str(a, "format"))) ||
	    (a->argc > 1 && jg_key_str(g, "name", a->argv[1])))
		return ctl_fail("image import", "out of memory");
	return call_images(M("ImageImport"), TAKE_PTR(g), "images", NULL);
}

/* IMAGE arguments and --filter reference=: the names that answer to them,
 * as podman's images REPO[:TAG] (ImageList's references). */
static int v_ls(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	const ctl_optval *f = opt_val(a, "filter");
	if (!g)
		return ctl_fail("images", "out of memory");
	for (size_t i = 0; i < f->n; i++)
		if (strncmp(f->list[i], "reference=", 10))
			return ctl_failf("images: --filter %s: corralctl filters by reference=REPO[:TAG] only", f->list[i]);
	if (a->argc || f->n) {
		jg_key(g, "references");
		yajl_gen_array_open(g);
		for (int i = 0; i < a->argc; i++)
			jg_str(g, a->argv[i]);
		for (size_t i = 0; i < f->n; i++)
			jg_str(g, f->list[i] + 10);
		yajl_gen_array_close(g);
	}
	return call_images(M("ImageList"), TAKE_PTR(g), "images", a);
}

static int v_inspect(ctl_args *a)
{
	_cleanup_json_ yajl_val list = NULL;
	int rc = ctl_collect(M("ImageInspect"), "image", a->argc, a->argv, "image", &list);
	int r = list ? ctl_output(list, NULL, NULL, NULL) : EXIT_CTL;
	return rc ? rc : r;
}

static int show_removed(const ctl_args *a, const char *image, yajl_val reply)
{
	(void)a, (void)image;
	ctl_print_strings(reply, "removed");
	return 0;
}

static int v_rm(ctl_args *a)
{
	return ctl_each(a, M("ImageRemove"), "image", ctl_add_force, show_removed);
}

static int show_pruned(yajl_val p)
{
	if (ctl_json)
		return ctl_print_json(p);
	ctl_print_strings(p, "removed");
	ctl_print_reclaimed(p);
	return 0;
}

static int v_prune(ctl_args *a)
{
	return ctl_prune(a, M("ImagePrune"), show_pruned);
}

static const ctl_opt import_opts[] = {
	{ "format", 0, OPT_STR, "KIND", "what a bare PATH holds: oci, docker or auto (the default)" },
	{ NULL },
};
static const ctl_opt ls_opts[] = {
	{ "quiet", 'q', OPT_FLAG, "", "print only the image ids" },
	{ "no-trunc", 0, OPT_FLAG, "", "print whole ids" },
	{ "filter", 'f', OPT_LIST, "reference=REPO[:TAG]", "only the names that answer to it (a glob)" },
	CTL_OPT_FORMAT,
	{ NULL },
};
static const ctl_opt inspect_opts[] = { CTL_OPT_FORMAT, { NULL } };
static const ctl_opt rm_opts[] = {
	{ "force", 'f', OPT_FLAG, "", "remove it even while containers use it" },
	{ NULL },
};
static const ctl_opt prune_opts[] = { CTL_OPT_PRUNE_ALL, CTL_OPT_PRUNE_FILTER, CTL_OPT_NEVER_ASK, { NULL } };

const ctl_cmd ctl_image_cmds[] = {
	{ "image import", "SOURCE [NAME]",
	  "Import an OCI layout or a docker-archive: [oci:|oci-archive:|docker-archive:]PATH[:REF]", import_opts, 1, 2,
	  0, COMPLETE_FILES, v_import },
	{ "image ls", "[REPO[:TAG]...]", "List images, a row a name (also: images)", ls_opts, 0, -1, CMD_FORMAT,
	  COMPLETE_IMAGES, v_ls },
	{ "image inspect", "IMAGE...", "Print images as one JSON array, or through --format", inspect_opts, 1, -1,
	  CMD_FORMAT, COMPLETE_IMAGES, v_inspect },
	{ "image rm", "IMAGE...", "Remove image names, or images by id (also: rmi)", rm_opts, 1, -1, 0,
	  COMPLETE_IMAGES, v_rm },
	{ "image prune", "", "Remove images no container uses, and the layers no image holds", prune_opts, 0, 0, 0,
	  COMPLETE_NONE, v_prune },
	{ NULL },
};
