/* Seed corpus for fuzz_image_tar: real layer blobs, as fuzz_image_tar takes
 * them (the blob's bytes, no prefix), made with libarchive's writer. Each
 * layer is written plain, gzip'd and zstd'd: a base with directories,
 * files of several owners and modes, soft and hard links, devices and a
 * FIFO, and xattrs (pax SCHILY.xattr); whiteouts (.wh.NAME) and opaque
 * directories (.wh..wh..opq) as docker and buildah write them ("./" paths);
 * long names and link targets as GNU tar (longname/longlink) and pax (path,
 * linkpath) write them; and the entries a hostile layer tries (climbing
 * paths, writes through a symlink, links to directories). Usage:
 * seeds_image_tar DIR */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_seeds.h"

typedef struct ent {
	const char *path;
	char type;           /* f file, d dir, l symlink, h hard link, c/b device, p fifo */
	const char *data;    /* a file's content, a link's target */
	unsigned mode, uid, gid, major, minor;
	const char *xattr;   /* NULL, or one xattr name, its value in xval */
	const char *xval;
	size_t xlen;
} ent;

enum fmt { PAX, GNU, USTAR };

typedef struct layer {
	const char *name;
	enum fmt fmt;
	ent e[24];
} layer;

#define L100 "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqr"
#define CAP "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* cap_net_bind_service+ep */

#define F(p, d, m) { .path = p, .type = 'f', .data = d, .mode = m }
#define FO(p, d, m, u, g) { .path = p, .type = 'f', .data = d, .mode = m, .uid = u, .gid = g }
#define FX(p, d, m, x, v) { .path = p, .type = 'f', .data = d, .mode = m, .xattr = x, .xval = v, .xlen = sizeof(v) - 1 }
#define D(p, m) { .path = p, .type = 'd', .mode = m }
#define DO(p, m, u, g) { .path = p, .type = 'd', .mode = m, .uid = u, .gid = g }
#define DX(p, m, x, v) { .path = p, .type = 'd', .mode = m, .xattr = x, .xval = v, .xlen = sizeof(v) - 1 }
#define S(p, t) { .path = p, .type = 'l', .data = t }
#define H(p, t) { .path = p, .type = 'h', .data = t, .mode = 0644 }
#define DEV(p, t, maj, min) { .path = p, .type = t, .mode = 0666, .major = maj, .minor = min }
#define P(p) { .path = p, .type = 'p', .mode = 0600 }

/* The hostile layer's targets are probes of no use to anyone: an escape
 * would leave corral-fuzz-escape* on the host, which the fuzz run's note
 * looks for. */
static const layer layers[] = {
	{ "base", PAX, {
		D("etc/", 0755), F("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644),
		FO("etc/shadow", "root:*:19000:0:99999:7:::\n", 0640, 0, 42),
		D("usr/bin/", 0755), F("usr/bin/busybox", "\x7f" "ELF\x02\x01\x01", 04755),
		H("usr/bin/sh", "usr/bin/busybox"), S("bin", "usr/bin"), S("etc/localtime", "/usr/share/zoneinfo/UTC"),
		DO("home/user/", 0700, 1000, 1000), FO("home/user/.profile", "PATH=$HOME/bin:$PATH\n", 0600, 1000, 1000),
		D("tmp/", 01777), D("dev/", 0755), DEV("dev/null", 'c', 1, 3), DEV("dev/tty", 'c', 5, 0),
		DEV("dev/sda", 'b', 8, 0), DEV("dev/mem", 'c', 1, 1), P("run/initctl"),
		FX("usr/bin/ping", "ping", 0755, "security.capability", CAP), FX("etc/notes", "x", 0644, "user.comment", "kept"),
		DX("etc/ovl", 0755, "trusted.overlay.opaque", "y") } },
	{ "whiteouts", PAX, {
		D("./", 0755), D("./etc/", 0755), F("./etc/.wh.motd", "", 0644), D("./var/cache/apt/", 0755),
		F("./var/cache/apt/.wh..wh..opq", "", 0644), F("./var/cache/apt/pkgcache.bin", "new", 0644),
		D("./usr/.wh..wh.plnk", 0700), F("./usr/.wh..wh.plnk/1234.5678", "aufs", 0644), F("./opt/app", "v2", 0644),
		F("./opt/.wh.app", "", 0644), F("./srv/.wh.", "", 0644), F("./srv/.wh...", "", 0644),
		D("./root/.wh.gone/", 0755), F("./root/.wh.gone/child", "c", 0644), DEV("./etc/.wh.hosts", 'c', 0, 0) } },
	{ "gnu-long", GNU, {
		D(L100 "/", 0755), D(L100 "/" L100 "/", 0755), F(L100 "/" L100 "/file-with-a-long-name", "long", 0644),
		S("short-link", L100 "/" L100 "/file-with-a-long-name"),
		H(L100 "/hard-" L100, L100 "/" L100 "/file-with-a-long-name") } },
	{ "pax-long", PAX, {
		F("usr/share/doc/" L100 "/" L100 "/" L100 "/changelog.Debian.gz", "\x1f\x8b", 0644),
		S("usr/share/doc/link-" L100, "../../" L100 "/" L100 "/target"),
		H("usr/share/doc/" L100 "/hard", "usr/share/doc/" L100 "/" L100 "/" L100 "/changelog.Debian.gz"),
		F("etc/caf\xc3\xa9/\xe2\x98\x83", "utf-8", 0644) } },
	{ "ustar", USTAR, {
		F("usr/lib/x86_64-linux-gnu/gconv/" L100, "prefix+name", 0644), S("usr/lib/libc.so.6", "libc-2.36.so"),
		F("usr/lib/libc-2.36.so", "so", 0755) } },
	/* each ends with the one entry that stops it */
	{ "hostile", PAX, {
		F("../../../../tmp/corral-fuzz-escape-1", "out", 0644), F("/corral-fuzz-escape-2", "abs", 0644),
		S("up", "/tmp"), F("up/corral-fuzz-escape-3", "through", 0644), S("dotdot", "../../.."),
		F("dotdot/tmp/corral-fuzz-escape-4", "x", 0644), F("a/b/../../../c", "c", 0644),
		F("up", "replaced", 0644), DEV("dev/kmsg", 'c', 1, 11), D(".", 0700), D("etc", 0755),
		H("dirlink", "etc") } },
	{ "hostile-links", PAX, {
		D("etc", 0755), F("etc/hostname", "h", 0644), H("hostlink", "/etc/hostname"),
		H("../uplink", "../../etc/hostname"), S("sl", "etc/hostname"), H("linktolink", "sl"),
		H("dangling", "no/such/file") } },
};

static int add(struct archive *a, const ent *x)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = x->type == 'f' && x->data ? strlen(x->data) : 0;
	static const unsigned types[128] = { ['f'] = AE_IFREG, ['d'] = AE_IFDIR, ['l'] = AE_IFLNK, ['h'] = AE_IFREG,
					     ['c'] = AE_IFCHR, ['b'] = AE_IFBLK, ['p'] = AE_IFIFO };
	archive_entry_set_pathname(e, x->path);
	archive_entry_set_filetype(e, types[(unsigned char)x->type]);
	archive_entry_set_perm(e, x->mode ? x->mode : 0777);
	archive_entry_set_uid(e, x->uid);
	archive_entry_set_gid(e, x->gid);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (x->type == 'l')
		archive_entry_set_symlink(e, x->data);
	if (x->type == 'h')
		archive_entry_set_hardlink(e, x->data);
	if (x->type == 'c' || x->type == 'b') {
		archive_entry_set_rdevmajor(e, x->major);
		archive_entry_set_rdevminor(e, x->minor);
	}
	if (x->xattr)
		archive_entry_xattr_add_entry(e, x->xattr, x->xval, x->xlen);
	archive_entry_set_size(e, (la_int64_t)len);
	int r = archive_write_header(a, e);
	if (r >= ARCHIVE_WARN && len && archive_write_data(a, x->data, len) != (la_ssize_t)len)
		r = ARCHIVE_FATAL;
	archive_entry_free(e);
	return r < ARCHIVE_WARN ? -1 : 0;
}

static int write_layer(const char *dir, const layer *l, const char *comp)
{
	size_t cap = 1 << 20, used = 0;
	char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	int r = !buf || !a ? -1 : 0;
	if (!r)
		r = (l->fmt == GNU ? archive_write_set_format_gnutar(a)
		     : l->fmt == USTAR ? archive_write_set_format_ustar(a) : archive_write_set_format_pax(a)) ||
		    (!strcmp(comp, "gz") && archive_write_add_filter_gzip(a)) ||
		    (!strcmp(comp, "zst") && archive_write_add_filter_zstd(a)) ||
		    archive_write_set_bytes_per_block(a, 0) || archive_write_open_memory(a, buf, cap, &used);
	for (const ent *x = l->e; !r && x->path; x++)
		r = add(a, x);
	if (!r && archive_write_close(a) != ARCHIVE_OK)
		r = -1;
	if (r)
		fprintf(stderr, "%s.%s: %s\n", l->name, comp, a ? archive_error_string(a) : "out of memory");
	char name[256];
	snprintf(name, sizeof(name), "%s.%s", l->name, comp);
	if (!r)
		r = seed_put(dir, name, buf, used);
	archive_write_free(a);
	free(buf);
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	int rc = 0;
	static const char *const comps[] = { "tar", "gz", "zst" };
	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		for (size_t c = 0; c < 3; c++)
			rc |= write_layer(argv[1], &layers[i], comps[c]) != 0;
	/* docker's empty layer: two zero blocks, gzip'd as it pushes it */
	static const layer empty = { .name = "empty", .fmt = PAX };
	rc |= write_layer(argv[1], &empty, "gz") != 0;
	return rc;
}
