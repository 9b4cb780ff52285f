#include "mount_options.h"
#include "common/json_get.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

struct flag_opt {
	const char *name;
	bool clear;
	unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
	{ "ro", false, MS_RDONLY }, { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID }, { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV }, { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC }, { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS }, { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC }, { "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK }, { "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME }, { "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
	{ "silent", false, MS_SILENT }, { "loud", true, MS_SILENT },
	{ "lazytime", false, MS_LAZYTIME }, { "nolazytime", true, MS_LAZYTIME },
	{ "iversion", false, MS_I_VERSION }, { "noiversion", true, MS_I_VERSION },
	{ "nosymfollow", false, MS_NOSYMFOLLOW }, { "symfollow", true, MS_NOSYMFOLLOW },
	{ "acl", false, MS_POSIXACL }, { "noacl", true, MS_POSIXACL }, { "defaults", false, 0 },
};

/* Filesystem data that is a bare word; any other bare word is refused, so
 * that nothing unknown reaches the kernel (KEY=VALUE data is the
 * filesystem's to judge). */
static const char *const data_words[] = {
	"newinstance",                                   /* devpts */
	"inode32", "inode64", "noswap", "quota", "usrquota", "grpquota", /* tmpfs */
};

static const struct { const char *name; unsigned long flags; } propagations[] = {
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Recursive variants applied with mount_setattr(AT_RECURSIVE). */
static const struct { const char *name; bool clear; uint64_t attr; } rattrs[] = {
	{ "rro", false, MOUNT_ATTR_RDONLY }, { "rrw", true, MOUNT_ATTR_RDONLY },
	{ "rnosuid", false, MOUNT_ATTR_NOSUID }, { "rsuid", true, MOUNT_ATTR_NOSUID },
	{ "rnodev", false, MOUNT_ATTR_NODEV }, { "rdev", true, MOUNT_ATTR_NODEV },
	{ "rnoexec", false, MOUNT_ATTR_NOEXEC }, { "rexec", true, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", false, MOUNT_ATTR_NODIRATIME }, { "rdiratime", true, MOUNT_ATTR_NODIRATIME },
	{ "rnoatime", false, MOUNT_ATTR_NOATIME }, { "rrelatime", false, MOUNT_ATTR_RELATIME },
	{ "rstrictatime", false, MOUNT_ATTR_STRICTATIME }, { "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW }, { "ratime", true, MOUNT_ATTR_NOATIME },
	{ "rnorelatime", true, MOUNT_ATTR_RELATIME }, { "rnostrictatime", true, MOUNT_ATTR_STRICTATIME },
};

static bool is_atime(uint64_t attr)
{
	return attr == MOUNT_ATTR_NOATIME || attr == MOUNT_ATTR_STRICTATIME || attr == MOUNT_ATTR_RELATIME;
}

int propagation_parse(const char *s, unsigned long *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
		if (streq(s, propagations[i].name)) {
			*out = propagations[i].flags;
			return 0;
		}
	return -EINVAL;
}

int mount_options_parse(struct oci_mount *m, const char *path, cerr *err)
{
	strbuf data = STRBUF_INIT;
	m->flags = 0;
	m->bind = m->type && streq(m->type, "bind");
	for (char **o = m->options; o && *o; o++) {
		const char *opt = *o;
		bool done = false;
		if (streq(opt, "bind") || streq(opt, "rbind")) {
			m->bind = true;
			m->recursive |= opt[0] == 'r';
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(flag_opts) && !done; i++)
			if (streq(opt, flag_opts[i].name)) {
				if (flag_opts[i].clear)
					m->flags &= ~flag_opts[i].flag;
				else
					m->flags |= flag_opts[i].flag;
				done = true;
			}
		for (size_t i = 0; i < ARRAY_SIZE(propagations) && !done; i++)
			if (streq(opt, propagations[i].name)) {
				m->propagation = propagations[i].flags;
				done = true;
			}
		for (size_t i = 0; i < ARRAY_SIZE(rattrs) && !done; i++)
			if (streq(opt, rattrs[i].name) && is_atime(rattrs[i].attr)) {
				/* one access-time mode at a time: the kernel wants the
				 * whole field cleared with the one set (none: relatime) */
				m->attr_clr |= MOUNT_ATTR__ATIME;
				m->attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
				if (!rattrs[i].clear)
					m->attr_set |= rattrs[i].attr;
				done = true;
			} else if (streq(opt, rattrs[i].name)) {
				if (rattrs[i].clear)
					m->attr_clr |= rattrs[i].attr;
				else
					m->attr_set |= rattrs[i].attr;
				done = true;
			}
		if (done)
			continue;
		if (streq(opt, "idmap") || streq(opt, "ridmap")) {
			m->idmap = true;
			m->idmap_recursive |= opt[0] == 'r';
			continue;
		}
		if (streq(opt, "tmpcopyup") || streq(opt, "notmpcopyup")) {
			m->tmpcopyup = opt[0] == 't';
			continue;
		}
		if (strchr(opt, ','))
			return sb_release(&data), cerr_set(err, EINVAL, "%s.options: \"%s\" must not contain a comma", path, opt);
		bool word_ok = strchr(opt, '=') != NULL;
		for (size_t i = 0; i < ARRAY_SIZE(data_words) && !word_ok; i++)
			word_ok = streq(opt, data_words[i]);
		if (!word_ok)
			return sb_release(&data), cerr_set(err, EINVAL, "%s.options: unknown option \"%s\"", path, opt);
		/* anything else is filesystem data, e.g. mode=755 or newinstance */
		if (data.len)
			sb_adds(&data, ",");
		sb_adds(&data, opt);
	}
	if (m->tmpcopyup && (!m->type || !streq(m->type, "tmpfs") || m->bind))
		return sb_release(&data), cerr_set(err, EINVAL, "%s.options: tmpcopyup is for a tmpfs mount", path);
	m->data = data.len ? sb_detach(&data) : NULL;
	sb_release(&data);
	return 0;
}

size_t mount_options_known(const char **out, size_t max)
{
	size_t n = 0;
#define ADD(x) do { if (n < max) out[n] = (x); n++; } while (0)
	ADD("bind");
	ADD("rbind");
	ADD("idmap");
	ADD("ridmap");
	ADD("tmpcopyup");
	ADD("notmpcopyup");
	for (size_t i = 0; i < ARRAY_SIZE(data_words); i++)
		ADD(data_words[i]);
	for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++)
		ADD(flag_opts[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
		ADD(propagations[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(rattrs); i++)
		ADD(rattrs[i].name);
#undef ADD
	return n;
}
