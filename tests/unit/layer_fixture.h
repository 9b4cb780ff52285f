/* Layers for the images tests, from tar streams built in memory: an entry
 * list (struct ent) becomes a tar (make_tar) unpacked into a directory of
 * tmpdir (mkdir_fd, unpack) as a layer is. */
#pragma once
/* entry lists give only the fields their type uses */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tmpdir.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images/extract.h"
#include "images/layer.h"

struct ent {
	const char *path;
	char type; /* f, d, l (symlink), h (hardlink), c (char dev), b (block dev) */
	const char *data; /* file data, or link target */
	unsigned major, minor;
	unsigned uid; /* its owner, uid and gid alike */
};

static inline int make_tar(const struct ent *e, size_t n)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	assert_true(fd >= 0);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax(a);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *x = archive_entry_new();
		archive_entry_set_pathname(x, e[i].path);
		archive_entry_set_mtime(x, 1700000000, 0);
		archive_entry_set_uid(x, e[i].uid);
		archive_entry_set_gid(x, e[i].uid);
		size_t len = 0;
		switch (e[i].type) {
		case 'f':
			len = e[i].data ? strlen(e[i].data) : 0;
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_size(x, (la_int64_t)len);
			break;
		case 'd':
			archive_entry_set_filetype(x, AE_IFDIR);
			archive_entry_set_perm(x, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(x, AE_IFLNK);
			archive_entry_set_perm(x, 0777);
			archive_entry_set_symlink(x, e[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(x, AE_IFREG);
			archive_entry_set_perm(x, 0644);
			archive_entry_set_hardlink(x, e[i].data);
			break;
		case 'c':
		case 'b':
			archive_entry_set_filetype(x, e[i].type == 'c' ? AE_IFCHR : AE_IFBLK);
			archive_entry_set_perm(x, 0600);
			archive_entry_set_rdevmajor(x, e[i].major);
			archive_entry_set_rdevminor(x, e[i].minor);
			break;
		}
		assert_int_equal(archive_write_header(a, x), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(x);
	}
	archive_write_close(a);
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static inline int mkdir_fd(const char *name)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(p, 0755), 0);
	int fd = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static inline int unpack(int root, const struct ent *e, size_t n, cerr *err)
{
	int tfd = make_tar(e, n);
	layer_extraction j = { .src_fd = tfd, .blob_out_fd = -1, .root_fd = root, .what = "layer",
			.expect_size = -1, .expect_comp = COMP_NONE };
	extract_limits_default(&j.lim);
	int r = layer_unpack(&j, err);
	close(tfd);
	return r;
}

/* A file of at most 4 KiB under dfd, or NULL. */
static inline char *read_at(int dfd, const char *p)
{
	char *s = NULL;
	_cleanup_cerr_ cerr e = { 0 };
	read_file_at(dfd, p, 4096, &s, NULL, &e);
	return s;
}
