/* corralctl's secret verbs: secret create, ls, rm. A value goes to corrald
 * once, in SecretCreate, and is never shown again. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET_MAX (1u << 20) /* corrald's bound, said before the call */

static char *base64(const unsigned char *p, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*o++ = abc[v >> 18];
		*o++ = abc[(v >> 12) & 63];
		*o++ = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? abc[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* the value as read: NULs and all */
typedef struct held {
	char *p;
	size_t n;
} held;

static void held_release(held *h)
{
	if (h->p)
		explicit_bzero(h->p, h->n);
	free(h->p);
}

static int v_create(ctl_args *a)
{
	const char *name = a->argv[0], *file = a->argv[1];
	bool std_in = streq(file, "-");
	_cleanup_close_ int fd = std_in ? -1 : open(file, O_RDONLY | O_CLOEXEC);
	if (!std_in && fd < 0)
		return ctl_failf("secret create %s: %s: %s", name, file, strerror(errno));
	_cleanup_(held_release) held v = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (read_fd(std_in ? STDIN_FILENO : fd, std_in ? "stdin" : file, SECRET_MAX + 1, &v.p, &v.n, &err) < 0) {
		int rc = err.code == EFBIG ? ctl_failf("secret create %s: %s is over the limit of 1 MiB", name, file)
					   : ctl_failf("secret create %s: %s", name, cerr_msg(&err));
		return rc;
	}
	if (v.n > SECRET_MAX)
		return ctl_failf("secret create %s: %s is over the limit of 1 MiB", name, file);
	_cleanup_wipe_ char *data = base64((const unsigned char *)v.p, v.n);
	yajl_gen p = ctl_params(NULL);
	if (!data || !p || jg_key_str(p, "name", name) || jg_key_str(p, "data", data)) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("secret create", "out of memory");
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("SecretCreate"), p, false, &rep))
		return EXIT_CTL;
	int r = ctl_json ? ctl_print_json(json_get(rep.params, "secret")) : (printf("%s\n", name), 0);
	vl_reply_release(&rep);
	return r;
}

static const tmpl_title secret_titles[] = { { "Name", "NAME" }, { NULL, NULL } };

static int show_list(yajl_val reply)
{
	yajl_val list = json_get(reply, "secrets");
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	int r = !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val s = list->u.array.values[i];
		char size[32], ago[64];
		human_size(ctl_int(s, "size", 0), size, sizeof(size));
		human_ago(ctl_str(s, "created"), ago, sizeof(ago));
		r = yajl_gen_map_open(rows) || jg_key_str(rows, "Name", ctl_str(s, "name")) ||
		    jg_key_str(rows, "Size", size) || jg_key_int(rows, "Bytes", ctl_int(s, "size", 0)) ||
		    jg_key_str(rows, "Created", ago) || jg_key_str(rows, "CreatedAt", ctl_str(s, "created")) ||
		    yajl_gen_map_close(rows);
	}
	if (r || yajl_gen_array_close(rows))
		return ctl_fail("secret ls", "out of memory");
	_cleanup_json_ yajl_val rw = ctl_gen_tree(rows);
	if (!rw)
		return EXIT_CTL;
	return ctl_output(list, rw, "table {{.Name}}\t{{.Size}}\t{{.Created}}", secret_titles);
}

static int v_ls(ctl_args *a)
{
	return ctl_call_show(M("SecretList"), "{}", show_list);
}

static int v_rm(ctl_args *a)
{
	return ctl_each(a, M("SecretRemove"), "name", ctl_add_force, NULL);
}

static const ctl_opt ls_opts[] = { CTL_OPT_FORMAT, { NULL } };
static const ctl_opt rm_opts[] = {
	{ "force", 'f', OPT_FLAG, "", "remove it even while containers that have not exited use it" },
	{ NULL },
};

const ctl_cmd ctl_secret_cmds[] = {
	{ "secret create", "NAME FILE|-", "Store a secret (at most 1 MiB) from FILE, or - for stdin", NULL, 2, 2, 0,
	  COMPLETE_FILES, v_create },
	{ "secret ls", "", "List secrets: names, sizes and creation times, never values", ls_opts, 0, 0, CMD_FORMAT,
	  COMPLETE_NONE, v_ls },
	{ "secret rm", "NAME...", "Remove secrets no container that has not exited uses (-f: even then)", rm_opts, 1,
	  -1, 0, COMPLETE_NONE, v_rm },
	{ NULL },
};
