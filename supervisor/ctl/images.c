/* corralctl's image verbs: import, ls, inspect, rm, prune. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/varlink/interface.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int call_show(const char *method, const char *params, void (*show)(yajl_val))
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, method, params, false, &rep))
		return 1;
	if (ctl_json || !show) {
		_cleanup_free_ char *s = ctl_to_json(rep.params, true);
		printf("%s\n", s ? s : "{}");
	} else {
		show(rep.params);
	}
	vl_reply_release(&rep);
	return 0;
}

static void human_size(long long b, char *buf, size_t n)
{
	const char *u[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	size_t i = 0;
	while (v >= 1000 && i < 4)
		v /= 1000, i++;
	snprintf(buf, n, i ? "%.1f%s" : "%.0f%s", v, u[i]);
}

static void show_table(yajl_val p)
{
	yajl_val l = json_get(p, "images");
	printf("%-32s  %-12s  %-10s  %s\n", "NAME", "IMAGE ID", "SIZE", "CREATED");
	for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++) {
		yajl_val im = l->u.array.values[i];
		const char *id = ctl_str(im, "id");
		id += strncmp(id, "sha256:", 7) ? 0 : 7;
		long long size = 0;
		json_int_in(json_get(im, "size"), 0, 1ll << 62, &size);
		char sz[32];
		human_size(size, sz, sizeof(sz));
		yajl_val names = json_get(im, "names");
		size_t n = YAJL_IS_ARRAY(names) ? names->u.array.len : 0;
		for (size_t k = 0; k < (n ? n : 1); k++) {
			yajl_val nm = n ? names->u.array.values[k] : NULL;
			printf("%-32s  %-12.12s  %-10s  %s\n", YAJL_IS_STRING(nm) ? nm->u.string : "<none>", id, sz,
			       ctl_str(im, "createdAt")[0] ? ctl_str(im, "createdAt") : "-");
		}
	}
}

static void show_removed(yajl_val p)
{
	yajl_val l = json_get(p, "removed");
	for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++)
		if (YAJL_IS_STRING(l->u.array.values[i]))
			printf("%s\n", l->u.array.values[i]->u.string);
	long long b = 0;
	if (json_int_in(json_get(p, "reclaimedBytes"), 0, 1ll << 62, &b)) {
		char sz[32];
		human_size(b, sz, sizeof(sz));
		printf("reclaimed %s\n", sz);
	}
}

/* "oci:rel/dir:tag" -> "oci:/abs/rel/dir:tag": corrald resolves nothing relative. */
static char *absolute_source(const char *src)
{
	static const char *const pre[] = { "oci:", "oci-archive:", "docker-archive:", NULL };
	size_t pl = 0;
	for (size_t i = 0; pre[i]; i++)
		if (!strncmp(src, pre[i], strlen(pre[i])))
			pl = strlen(pre[i]);
	const char *path = src + pl;
	char abs[PATH_MAX], *out = NULL;
	if (realpath(path, abs))
		return asprintf(&out, "%.*s%s", (int)pl, src, abs) < 0 ? NULL : out;
	/* PATH:REF: only the part before the last colon is a file */
	const char *colon = strrchr(path, ':');
	if (colon) {
		_cleanup_free_ char *file = strndup(path, (size_t)(colon - path));
		if (file && realpath(file, abs))
			return asprintf(&out, "%.*s%s%s", (int)pl, src, abs, colon) < 0 ? NULL : out;
	}
	return strdup(src);
}

static int v_import(int argc, char **argv)
{
	const char *fmt = NULL;
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "--format"))
		fmt = argv[i + 1], i += 2;
	if (argc - i < 1 || argc - i > 2)
		return ctl_fail("image import", "expected [--format oci|docker] SOURCE [NAME]"), 2;
	_cleanup_free_ char *src = absolute_source(argv[i]);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!src || !g)
		return 1;
	yajl_gen_map_open(g);
	jg_key_str(g, "path", src);
	if (fmt)
		jg_key_str(g, "format", fmt);
	if (argc - i == 2)
		jg_key_str(g, "name", argv[i + 1]);
	yajl_gen_map_close(g);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	return call_show(M("ImageImport"), p, show_table);
}

static char *obj(const char *k1, const char *v1, const char *k2, bool b2)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	jg_key_str(g, k1, v1);
	if (k2)
		jg_key_bool(g, k2, b2);
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

int ctl_image(int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "";
	if (!strcmp(sub, "import"))
		return v_import(argc, argv);
	if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
		return call_show(M("ImageList"), "{}", show_table);
	if (!strcmp(sub, "inspect") && argc == 2) {
		_cleanup_free_ char *p = obj("image", argv[1], NULL, false);
		return call_show(M("ImageInspect"), p, NULL);
	}
	if (!strcmp(sub, "rm") && argc >= 2) {
		bool force = !strcmp(argv[1], "-f") || !strcmp(argv[1], "--force");
		if (argc < 2 + force)
			return ctl_fail("image rm", "expected [-f] IMAGE..."), 2;
		int rc = 0;
		for (int i = 1 + force; i < argc; i++) {
			_cleanup_free_ char *p = obj("image", argv[i], force ? "force" : NULL, true);
			rc |= call_show(M("ImageRemove"), p, show_removed);
		}
		return rc;
	}
	if (!strcmp(sub, "prune"))
		return call_show(M("ImagePrune"), argc > 1 && !strcmp(argv[1], "-a") ? "{\"all\":true}" : "{}",
				 show_removed);
	return ctl_fail("image", "expected import [--format oci|docker] SOURCE [NAME], ls, inspect IMAGE, "
				 "rm [-f] IMAGE..., prune [-a]"), 2;
}
