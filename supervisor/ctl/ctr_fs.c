/* A container's filesystem and images made of files: corralctl container
 * diff CONTAINER (podman diff: A, C and D lines; `diff -f` is a workload's), export [-o FILE] CONTAINER (a
 * tar of its root filesystem, as podman export), import [-c CHANGE]...
 * [-m MESSAGE] FILE|- [IMAGE] (a tar as an image's one layer). */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_stream.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_path(const void *a, const void *b)
{
	yajl_val x = *(yajl_val const *)a, y = *(yajl_val const *)b;
	yajl_val px = json_get(x, "path"), py = json_get(y, "path");
	return strcmp(YAJL_IS_STRING(px) ? px->u.string : "", YAJL_IS_STRING(py) ? py->u.string : "");
}

static int v_diff(ctl_args *a)
{
	_cleanup_(vl_client_freep) vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Changes"), ctl_params(a->argv[0]), false, &rep))
		return EXIT_CTL;
	yajl_val v = json_get(rep.params, "changes");
	size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 0;
	if (n)
		qsort(v->u.array.values, n, sizeof(yajl_val), by_path);
	int rc = 0;
	if (ctl_json)
		rc = ctl_print_json(v);
	for (size_t i = 0; !ctl_json && i < n; i++) {
		yajl_val k = json_get(v->u.array.values[i], "kind"), p = json_get(v->u.array.values[i], "path");
		const char *kind = YAJL_IS_STRING(k) ? k->u.string : "";
		printf("%c %s\n", !strcmp(kind, "added") ? 'A' : !strcmp(kind, "deleted") ? 'D' : 'C',
		       YAJL_IS_STRING(p) ? p->u.string : "");
	}
	vl_reply_release(&rep);
	return rc;
}

static int v_export(ctl_args *a)
{
	const char *file = opt_str(a, "output");
	if (!file && isatty(STDOUT_FILENO))
		return ctl_fail("export", "refusing to write a tar to a terminal: give -o FILE, or redirect");
	_cleanup_close_ int out = file ? open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (file && out < 0)
		return ctl_failf("export: %s: %s", file, strerror(errno));
	_cleanup_ctl_stream_ ctl_stream s;
	ctl_stream_init(&s, "export");
	int rc = ctl_call_upgrade(M("Export"), ctl_params(a->argv[0]), false, &s.sc.fd);
	if (!rc)
		rc = ctl_stream_output(&s, file ? out : STDOUT_FILENO);
	if (!rc)
		rc = ctl_stream_pump(&s, SIZE_MAX);
	if (!rc && s.sc.code != 0)
		rc = ctl_failf("export: %.*s", (int)strcspn(s.sc.msg.buf ? s.sc.msg.buf : "failed", "\n"),
			       s.sc.msg.buf ? s.sc.msg.buf : "failed");
	return rc;
}

static int v_import(ctl_args *a)
{
	const char *src = a->argv[0];
	_cleanup_close_ int in = streq(src, "-") ? -1 : open(src, O_RDONLY | O_CLOEXEC);
	if (!streq(src, "-") && in < 0)
		return ctl_failf("import: %s: %s", src, strerror(errno));
	yajl_gen g = ctl_params(NULL);
	if (a->argc > 1)
		jg_key_str(g, "name", a->argv[1]);
	if (opt_str(a, "message"))
		jg_key_str(g, "comment", opt_str(a, "message"));
	const ctl_optval *ch = opt_val(a, "change");
	jg_key_strv(g, "changes", ch->list ? ch->list : (char *const[]){ NULL });
	_cleanup_ctl_stream_ ctl_stream s;
	ctl_stream_init(&s, "import");
	int rc = ctl_call_upgrade(M("ImageCommit"), g, false, &s.sc.fd);
	if (!rc)
		rc = ctl_stream_send(&s, in >= 0 ? in : STDIN_FILENO);
	if (!rc && s.sc.code != 0) {
		while (s.sc.msg.len && s.sc.msg.buf[s.sc.msg.len - 1] == '\n')
			s.sc.msg.buf[--s.sc.msg.len] = '\0';
		return ctl_failf("import: %s", s.sc.msg.len ? s.sc.msg.buf : "failed");
	}
	if (!rc)
		printf("%.*s\n", (int)strcspn(s.sc.head.buf ? s.sc.head.buf : "", " \n"), s.sc.head.buf ? s.sc.head.buf : "");
	return rc;
}

static const ctl_opt export_opts[] = {
	{ "output", 'o', OPT_STR, "FILE", "write the tar to FILE; without it, to stdout (not a terminal)" },
	{ NULL },
};
static const ctl_opt import_opts[] = {
	{ "change", 'c', OPT_LIST, "INSTRUCTION", "a Dockerfile instruction for the image's config (CMD, ENV, ...)" },
	{ "message", 'm', OPT_STR, "TEXT", "the image's history comment" },
	{ NULL },
};

const ctl_cmd ctl_ctr_fs_cmds[] = {
	{ "container diff", "CONTAINER", "List what a container changed in its filesystem (A added, C changed, D deleted)", NULL, 1,
	  1, 0, COMPLETE_CONTAINERS, v_diff },
	{ "export", "CONTAINER", "Write a container's root filesystem as a tar", export_opts, 1, 1, 0, COMPLETE_CONTAINERS,
	  v_export },
	{ "import", "FILE|- [IMAGE]", "Make an image of a tar of files (its one layer)", import_opts, 1, 2, 0, COMPLETE_FILES,
	  v_import },
	{ NULL },
};
