/* Compiled seccomp programs: built once per profile with libseccomp
 * (seccomp.c), kept under the state root, and loaded as raw BPF. */
#include "seccomp.h"
#include "runtime/seccomp_cache.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/strbuf.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CACHE_MAGIC "corral-seccomp-1\n"
#define PROG_MAX 65535 /* BPF_MAXINSNS is 4096; leave room, but bound it */

void seccomp_prog_release(struct seccomp_prog *p)
{
	free(p->filter);
	*p = (struct seccomp_prog){ 0 };
}

/* Every input of the compiled program, in one deterministic text. */
static void profile_text(const struct oci_seccomp *sc, strbuf *t)
{
	const struct scmp_version *v = seccomp_version();
	sb_addf(t, "libseccomp %u.%u.%u\ndefault %s %d %u\n", v ? v->major : 0, v ? v->minor : 0,
		v ? v->micro : 0, sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret);
	for (size_t i = 0; sc->architectures && sc->architectures[i]; i++)
		sb_addf(t, "arch %s\n", sc->architectures[i]);
	for (size_t i = 0; sc->flags && sc->flags[i]; i++)
		sb_addf(t, "flag %s\n", sc->flags[i]);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct oci_seccomp_syscall *s = &sc->syscalls[i];
		sb_addf(t, "rule %s %d %u", s->action, s->has_errno_ret, s->errno_ret);
		for (size_t j = 0; s->names && s->names[j]; j++)
			sb_addf(t, " %s", s->names[j]);
		for (size_t a = 0; a < s->n_args; a++)
			sb_addf(t, " [%u %d %llu %llu]", s->args[a].index, s->args[a].op,
				(unsigned long long)s->args[a].value, (unsigned long long)s->args[a].value_two);
		sb_adds(t, "\n");
	}
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static unsigned int kernel_flags(const struct oci_seccomp *sc)
{
	unsigned int f = 0;
	for (size_t i = 0; sc->flags && sc->flags[i]; i++) {
		if (streq(sc->flags[i], "SECCOMP_FILTER_FLAG_TSYNC"))
			f |= SECCOMP_FILTER_FLAG_TSYNC;
		else if (streq(sc->flags[i], "SECCOMP_FILTER_FLAG_LOG"))
			f |= SECCOMP_FILTER_FLAG_LOG;
		else if (streq(sc->flags[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	}
	return f;
}

/* A cached entry: magic, text length, a notify byte, text, then the program. */
static bool cache_read(const char *path, const strbuf *text, struct seccomp_prog *out)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_file(path, (size_t)text->len + sizeof(CACHE_MAGIC) + 16 + PROG_MAX * sizeof(struct sock_filter),
		      &buf, &len, NULL) < 0)
		return false;
	size_t m = strlen(CACHE_MAGIC), off = m + sizeof(uint32_t) + 1;
	uint32_t tl;
	if (len < off || memcmp(buf, CACHE_MAGIC, m) != 0)
		return false;
	memcpy(&tl, buf + m, sizeof(tl));
	out->notify = buf[m + sizeof(tl)] == 1;
	if (tl != text->len || len < off + tl || memcmp(buf + off, text->buf, tl) != 0)
		return false;
	off += tl;
	size_t plen = len - off;
	if (plen == 0 || plen % sizeof(struct sock_filter) || plen / sizeof(struct sock_filter) > PROG_MAX)
		return false;
	out->filter = malloc(plen);
	if (!out->filter)
		return false;
	memcpy(out->filter, buf + off, plen);
	out->len = (unsigned short)(plen / sizeof(struct sock_filter));
	return true;
}

static void cache_write(const char *dir, const char *path, const strbuf *text, const struct seccomp_prog *p)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	strbuf e = STRBUF_INIT;
	uint32_t tl = (uint32_t)text->len;
	sb_adds(&e, CACHE_MAGIC);
	sb_add(&e, &tl, sizeof(tl));
	char notify = p->notify ? 1 : 0;
	sb_add(&e, &notify, 1);
	sb_add(&e, text->buf, text->len);
	sb_add(&e, p->filter, p->len * sizeof(struct sock_filter));
	_cleanup_cerr_ cerr err = { 0 };
	if (e.buf && write_file_atomic(path, e.buf, e.len, 0600, &err) < 0)
		log_debug("seccomp: not cached: %s", cerr_msg(&err));
	sb_release(&e);
}

/* Compile with libseccomp and export the program through a memfd. */
static int compile(const struct oci_seccomp *sc, struct seccomp_prog *out, cerr *err)
{
	void *ctx = NULL;
	int r = seccomp_build_ctx(sc, &ctx, &out->notify, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = memfd_create("corral-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		seccomp_release(ctx);
		return cerr_sys(err, errno, "linux.seccomp: memfd");
	}
	r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (r < 0)
		return cerr_sys(err, -r, "linux.seccomp: exporting the filter");
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > PROG_MAX)
		return cerr_set(err, E2BIG, "linux.seccomp: the compiled filter has a bad size (%lld bytes)",
				(long long)size);
	out->filter = malloc((size_t)size);
	if (!out->filter || pread(fd, out->filter, (size_t)size, 0) != size)
		return cerr_sys(err, errno ? errno : EIO, "linux.seccomp: reading the compiled filter");
	out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int seccomp_compile(const struct oci_seccomp *sc, const char *cache_dir, struct seccomp_prog *out, cerr *err)
{
	*out = (struct seccomp_prog){ 0 };
	if (!sc)
		return 0;
	_cleanup_strbuf_ strbuf text = STRBUF_INIT;
	profile_text(sc, &text);
	if (!text.buf)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[4096] = "";
	if (cache_dir) {
		snprintf(path, sizeof(path), "%s/%016llx.bpf", cache_dir,
			 (unsigned long long)fnv1a(text.buf, text.len));
		if (cache_read(path, &text, out)) {
			out->flags = kernel_flags(sc);
			return 0;
		}
		seccomp_prog_release(out);
	}
	int r = compile(sc, out, err);
	if (r < 0) {
		seccomp_prog_release(out);
		return r;
	}
	out->flags = kernel_flags(sc);
	if (cache_dir)
		cache_write(cache_dir, path, &text, out);
	return 0;
}

int seccomp_load_prog(const struct seccomp_prog *p, int *notify_fd, cerr *err)
{
	if (notify_fd)
		*notify_fd = -1;
	if (!p || !p->filter)
		return 0;
	struct sock_fprog fprog = { .len = p->len, .filter = p->filter };
	unsigned int flags = p->flags;
	if (p->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* the kernel takes TSYNC with a listener only in its ESRCH form */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (r < 0)
		return cerr_sys(err, errno, "linux.seccomp: loading the filter");
	if (p->notify) {
		if (notify_fd)
			*notify_fd = (int)r;
		else
			close((int)r);
	}
	return 0;
}

/* seccomp_apply: compile (no cache) and load, the one-shot way. */
int seccomp_apply(const struct oci_seccomp *sc, int *notify_fd, cerr *err)
{
	struct seccomp_prog p;
	int r = seccomp_compile(sc, NULL, &p, err);
	if (r == 0)
		r = seccomp_load_prog(&p, notify_fd, err);
	seccomp_prog_release(&p);
	return r;
}
