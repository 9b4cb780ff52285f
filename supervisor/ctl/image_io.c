/* corralctl's image verbs after podman's: tag, load, save and history
 * (also as "image tag", ...). An archive to load from stdin, or to save to
 * stdout, goes through a file of the caller's own in $TMPDIR (else
 * /var/tmp), as podman's does: corrald opens the caller's files as the
 * caller, and never reads or writes a pipe. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/template/template_value.h"
#include "supervisor/ctl/paths.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* All of in to out; 0 or -errno. */
static int pump(int in, int out)
{
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		for (ssize_t at = 0; at < n;) {
			ssize_t w = write(out, buf + at, (size_t)(n - at));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			at += w;
		}
	}
}

/* A new empty file of the caller's, 0600, in $TMPDIR or /var/tmp: its fd,
 * its path in *path (the caller unlinks it), or -1 after saying why. */
static int temp_file(const char *what, char **path)
{
	const char *dir = getenv("TMPDIR");
	if (asprintf(path, "%s/corralctl-%s-XXXXXX", dir && *dir ? dir : "/var/tmp", what) < 0) {
		*path = NULL;
		ctl_fail(what, "out of memory");
		return -1;
	}
	int fd = mkostemp(*path, O_CLOEXEC);
	if (fd < 0) {
		ctl_failf("%s: %s: %s", what, *path, strerror(errno));
		free(*path);
		*path = NULL;
	}
	return fd;
}

static int v_tag(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || jg_key_str(g, "image", a->argv[0]) || jg_key(g, "names") || yajl_gen_array_open(g))
		return ctl_fail("tag", "out of memory");
	for (int i = 1; i < a->argc; i++)
		jg_str(g, a->argv[i]);
	yajl_gen_array_close(g);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("ImageTag"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	vl_reply_release(&rep);
	return 0;
}

static int show_loaded(yajl_val reply)
{
	if (ctl_json)
		return ctl_print_json(json_get(reply, "images"));
	yajl_val l = json_get(reply, "loaded");
	for (size_t i = 0; YAJL_IS_ARRAY(l) && i < l->u.array.len; i++)
		if (YAJL_IS_STRING(l->u.array.values[i]))
			printf("Loaded image: %s\n", l->u.array.values[i]->u.string);
	return 0;
}

static int v_load(ctl_args *a)
{
	const char *input = opt_str(a, "input");
	_cleanup_free_ char *path = input ? ctl_absolute(input) : NULL, *tmp = NULL;
	if (input && !path)
		return ctl_fail("load", "out of memory");
	if (!input) { /* stdin, through a file of ours */
		if (isatty(STDIN_FILENO))
			return ctl_fail("load", "cannot read an archive from a terminal: use --input FILE, or redirect");
		_cleanup_close_ int fd = temp_file("load", &tmp);
		if (fd < 0)
			return EXIT_CTL;
		int r = pump(STDIN_FILENO, fd);
		if (r < 0) {
			unlink(tmp);
			return ctl_failf("load: stdin: %s", strerror(-r));
		}
	}
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	int rc = !g || jg_key_str(g, "path", tmp ? tmp : path) ? ctl_fail("load", "out of memory") : 0;
	ctl_timeout_ms = -1; /* a load takes its time */
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!rc && !(rc = ctl_call_gen(&c, M("ImageLoad"), TAKE_PTR(g), false, &rep))) {
		rc = show_loaded(rep.params);
		vl_reply_release(&rep);
	}
	if (tmp)
		unlink(tmp);
	return rc;
}

static int v_save(ctl_args *a)
{
	const char *output = opt_str(a, "output"), *format = opt_str(a, "format");
	if (format && !streq(format, "docker-archive") && !streq(format, "oci-archive"))
		return ctl_failf("save: --format %s: corral saves docker-archive (the default) or oci-archive", format);
	if (!output && isatty(STDOUT_FILENO))
		return ctl_fail("save", "refusing to save to a terminal: use --output FILE, or redirect");
	/* the file is made here, the caller's, for corrald to open as the caller */
	_cleanup_free_ char *path = NULL;
	bool made = false;
	_cleanup_close_ int fd = output ? ctl_output_file("save", output, 0644, &path, &made) : temp_file("save", &path);
	if (fd < 0)
		return EXIT_CTL;
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	/* several: one docker-archive of them all, as `docker save a b` */
	char *const *more = a->argc > 1 ? a->argv + 1 : NULL;
	int rc = !g || jg_key_str(g, "image", a->argv[0]) || (more && jg_key_strv(g, "images", more)) ||
		 jg_key_str(g, "path", path) ||
			 (format && jg_key_str(g, "format", format))
		 ? ctl_fail("save", "out of memory")
		 : 0;
	ctl_timeout_ms = -1;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!rc && !(rc = ctl_call_gen(&c, M("ImageSave"), TAKE_PTR(g), false, &rep)))
		vl_reply_release(&rep);
	int r = !rc && !output ? pump(fd, STDOUT_FILENO) : 0;
	if (r < 0)
		rc = ctl_failf("save: stdout: %s", strerror(-r));
	if (!output || (rc && made)) /* no half archive stays where the caller asked for one */
		unlink(path);
	return rc;
}

/* One row of history's table. */
static int gen_step(yajl_gen g, yajl_val h, bool no_trunc)
{
	const char *id = ctl_str(h, "id"), *by = ctl_str(h, "createdBy");
	char created[64], size[32], short_id[13], cut[64];
	snprintf(short_id, sizeof(short_id), "%.12s", id + (strncmp(id, "sha256:", 7) ? 0 : 7));
	if (!no_trunc && strlen(by) > 45)
		snprintf(cut, sizeof(cut), "%.42s...", by);
	human_ago(ctl_str(h, "created"), created, sizeof(created));
	human_size(ctl_int(h, "size", 0), size, sizeof(size));
	return yajl_gen_map_open(g) || jg_key_str(g, "ID", no_trunc ? id : short_id) || jg_key_str(g, "Created", created) ||
	       jg_key_str(g, "CreatedAt", ctl_str(h, "created")) ||
	       jg_key_str(g, "CreatedBy", !no_trunc && strlen(by) > 45 ? cut : by) || jg_key_str(g, "Size", size) ||
	       jg_key_str(g, "Comment", ctl_str(h, "comment")) || jg_key(g, "Tags") ||
	       jg_value(g, tmpl_field(h, "tags", 4)) || yajl_gen_map_close(g);
}

static const tmpl_title history_titles[] = { { "CreatedBy", "CREATED BY" }, { NULL, NULL } };

static int v_history(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || jg_key_str(g, "image", a->argv[0]))
		return ctl_fail("history", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("ImageHistory"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	yajl_val list = json_get(rep.params, "history");
	bool no_trunc = opt_on(a, "no-trunc");
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
		r = gen_step(rows, list->u.array.values[i], no_trunc);
	_cleanup_json_ yajl_val rw = !r && !yajl_gen_array_close(rows) ? ctl_gen_tree(rows) : NULL;
	if (opt_on(a, "quiet") && !ctl_format && !ctl_json)
		ctl_format = "{{.ID}}";
	r = rw ? ctl_output(list, rw, "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
			    history_titles)
	       : ctl_fail("history", "out of memory");
	vl_reply_release(&rep);
	return r;
}

static const ctl_opt load_opts[] = {
	{ "input", 'i', OPT_STR, "FILE", "the archive (docker-archive or oci-archive); without it, stdin" },
	{ "quiet", 'q', OPT_FLAG, "", "print only what was loaded (corralctl prints nothing else)" },
	{ NULL },
};
static const ctl_opt save_opts[] = {
	{ "output", 'o', OPT_STR, "FILE", "write the archive to FILE; without it, to stdout (not a terminal)" },
	{ "format", 0, OPT_STR, "FORMAT", "docker-archive (the default) or oci-archive" },
	{ "quiet", 'q', OPT_FLAG, "", "print nothing but errors (corralctl prints nothing else)" },
	{ NULL },
};
static const ctl_opt history_opts[] = {
	{ "no-trunc", 0, OPT_FLAG, "", "print whole ids and commands" },
	{ "quiet", 'q', OPT_FLAG, "", "print only the ids" },
	{ "human", 'H', OPT_FLAG, "", "sizes and times for people (corralctl always prints them so)" },
	CTL_OPT_FORMAT,
	{ NULL },
};

const ctl_cmd ctl_image_io_cmds[] = {
	{ "image tag", "IMAGE NAME[:TAG]...", "Give an image more names (also: tag)", NULL, 2, -1, 0, COMPLETE_IMAGES,
	  v_tag },
	{ "image load", "", "Load an image from a docker-archive or oci-archive (also: load)", load_opts, 0, 0, 0,
	  COMPLETE_NONE, v_load },
	{ "image save", "IMAGE...", "Save images as a docker-archive or oci-archive (also: save)", save_opts, 1, -1, 0,
	  COMPLETE_IMAGES, v_save },
	{ "image history", "IMAGE", "Show the history of an image (also: history)", history_opts, 1, 1, CMD_FORMAT,
	  COMPLETE_IMAGES, v_history },
	{ NULL },
};
