#include "supervisor/daemon/netfiles/hosts.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The names of one line, skipping duplicates of the container's own name. */
static int add_line(strbuf *sb, const char *ip, const char *a, const char *b)
{
	if (b && a && streq(a, b))
		b = NULL;
	return sb_addf(sb, "%s\t%s%s%s\n", ip, a, b ? " " : "", b ? b : "");
}

int hosts_render(const hosts_in *in, strbuf *out)
{
	int r = sb_adds(out, "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
			     "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n");
	/* what the user asked for comes first: the resolver takes the first match */
	for (char *const *e = in->extra; r == 0 && e && *e; e++) {
		const char *colon = strchr(*e, ':');
		const char *ip = colon && streq(colon + 1, HOSTS_HOST_GATEWAY) ? in->gateway : colon ? colon + 1 : NULL;
		if (ip)
			r = sb_addf(out, "%s\t%.*s\n", ip, (int)(colon - *e), *e);
	}
	if (r == 0)
		r = add_line(out, in->ip ? in->ip : "127.0.0.1", in->hostname, in->name);
	if (r == 0 && in->gateway)
		r = sb_addf(out, "%s\t" HOSTS_GATEWAY_NAME "\n", in->gateway);
	if (r < 0)
		return r;
	if (out->len > HOSTS_MAX)
		return -E2BIG;
	for (size_t i = 0; i < in->n_peers; i++) {
		size_t before = out->len;
		if ((r = sb_addf(out, "%s\t%s\n", in->peers[i].ip, in->peers[i].names)) < 0)
			return r;
		if (out->len > HOSTS_MAX) {
			out->len = before;
			out->buf[before] = '\0';
			return -E2BIG;
		}
	}
	return 0;
}

/* Why not temp + rename: a bind mount pins the inode, so the container
 * would keep the old file. Instead the new text goes in one write(2) from
 * offset 0, then ftruncate cuts the tail. The text is under a page, so on a
 * local fs the write is one copy under the inode's lock: a reader sees the
 * old text or the new one, except between the write and the truncate when
 * the new text is shorter: then it may see the new text followed by the old
 * text's last bytes (whole lines of the old file, as each line ends in \n,
 * though the first of them may be cut). The resolver reads the file again
 * on its next lookup. A crash there leaves that same file, which the next
 * rewrite (each Start, each member's change) replaces. */
int hosts_rewrite(const char *path, const char *text, size_t n, cerr *err)
{
	if (n > HOSTS_MAX)
		return cerr_set(err, E2BIG, "%s: %zu bytes is over %d", path, n, HOSTS_MAX);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", path);
	ssize_t w = pwrite(fd, text, n, 0);
	if (w < 0)
		return cerr_sys(err, errno, "%s: write", path);
	if ((size_t)w != n)
		return cerr_set(err, EIO, "%s: short write (%zd of %zu bytes)", path, w, n);
	if (ftruncate(fd, (off_t)n) < 0)
		return cerr_sys(err, errno, "%s: truncate", path);
	return 0;
}

int hostname_write(const char *dir, const char *hostname, cerr *err)
{
	char path[PATH_MAX], text[256];
	snprintf(path, sizeof(path), "%s/" HOSTNAME_FILE, dir);
	int n = snprintf(text, sizeof(text), "%s\n", hostname);
	/* as the hosts file beside it, unsynced: a temporary file renamed into
	 * place costs Create 4 ms here, and a crash costs at worst an empty
	 * file beside a hostname that is still right */
	return hosts_rewrite(path, text, (size_t)n, err);
}
