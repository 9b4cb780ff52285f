/* SELinux labels of a container: the policy's lxc_contexts give the
 * container process and file defaults (containerd's and CRI-O's through
 * go-selinux read the same file), and the spec's user, role, type and
 * level replace their parts. */
#include "supervisor/daemon/containers/engine/ctr_selinux.h"
#include "runtime/selinux.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CONTEXTS_MAX 65536

/* KEY = "VALUE" of an lxc_contexts or config text, into out */
static bool value_of(const char *text, const char *key, char *out, size_t n)
{
	size_t k = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		l += strspn(l, " \t");
		if (strncmp(l, key, k) || !strchr(" \t=", l[k]))
			continue;
		const char *v = l + k + strspn(l + k, " \t=\"");
		size_t len = strcspn(v, "\"\n \t");
		if (len && len < n) {
			memcpy(out, v, len), out[len] = '\0';
			return true;
		}
	}
	return false;
}

/* the loaded policy's container defaults: process and file labels, and
 * where they came from */
#define FROM_MAX 300
static void defaults(char proc[CTR_SELINUX_LABEL_MAX], char file[CTR_SELINUX_LABEL_MAX], char from[FROM_MAX])
{
	snprintf(from, FROM_MAX, "corral's own");
	snprintf(proc, CTR_SELINUX_LABEL_MAX, "system_u:system_r:container_t:s0");
	snprintf(file, CTR_SELINUX_LABEL_MAX, "system_u:object_r:container_file_t:s0");
	_cleanup_free_ char *cfg = NULL, *ctx = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	size_t n;
	char type[64] = "default", path[256];
	if (read_file("/etc/selinux/config", CONTEXTS_MAX, &cfg, &n, &err) == 0)
		value_of(cfg, "SELINUXTYPE", type, sizeof(type));
	snprintf(path, sizeof(path), "/etc/selinux/%s/contexts/lxc_contexts", type);
	if (strchr(type, '/') || read_file(path, CONTEXTS_MAX, &ctx, &n, &err) < 0)
		return;
	char p[CTR_SELINUX_LABEL_MAX], f[CTR_SELINUX_LABEL_MAX];
	if (value_of(ctx, "process", p, sizeof(p)) && value_of(ctx, "file", f, sizeof(f))) {
		memcpy(proc, p, sizeof(p)), memcpy(file, f, sizeof(f));
		snprintf(from, FROM_MAX, "%s", path);
	}
}

/* base's user:role:type:level with the parts given put in */
static void compose(const char *base, const char *user, const char *role, const char *type, const char *level,
		    char out[CTR_SELINUX_LABEL_MAX])
{
	char b[CTR_SELINUX_LABEL_MAX];
	snprintf(b, sizeof(b), "%s", base);
	char *part[4] = { b, NULL, NULL, NULL };
	for (int i = 1; i < 4 && part[i - 1]; i++) /* the level keeps its own colons */
		if ((part[i] = strchr(part[i - 1], ':')))
			*part[i]++ = '\0';
	snprintf(out, CTR_SELINUX_LABEL_MAX, "%s:%s:%s:%s", user ? user : b, role ? role : part[1] ? part[1] : "object_r",
		 type ? type : part[2] ? part[2] : "container_t", level ? level : part[3] ? part[3] : "s0");
}

static void labels(const ctr_spec *s, char proc[CTR_SELINUX_LABEL_MAX], char mount[CTR_SELINUX_LABEL_MAX],
		   char from[FROM_MAX])
{
	char dp[CTR_SELINUX_LABEL_MAX], df[CTR_SELINUX_LABEL_MAX];
	defaults(dp, df, from);
	const struct ctr_selinux *o = &s->selinux;
	compose(dp, o->user, o->role, o->type, o->level, proc);
	/* the files' label keeps the file type; the level is the process's */
	compose(df, NULL, NULL, NULL, o->level, mount);
}

bool ctr_selinux_labels(const ctr_spec *s, char proc[CTR_SELINUX_LABEL_MAX], char mount[CTR_SELINUX_LABEL_MAX])
{
	if (!s->selinux_given || !selinux_enabled())
		return false;
	char from[FROM_MAX];
	labels(s, proc, mount, from);
	return true;
}

int ctr_selinux_check(const ctr_spec *s, cerr *err)
{
	char proc[CTR_SELINUX_LABEL_MAX], mount[CTR_SELINUX_LABEL_MAX], from[FROM_MAX];
	if (!s->selinux_given || !selinux_enabled())
		return 0;
	labels(s, proc, mount, from);
	const char *bad = !selinux_context_known(proc) ? proc : !selinux_context_known(mount) ? mount : NULL;
	if (bad)
		return cerr_set(err, EINVAL, "%s %s is not a context of the loaded policy (its defaults: %s)",
				bad == proc ? "the process label" : "the files' label", bad, from);
	return 0;
}
