/* File helpers: bounded reads, atomic writes, recursive mkdir and removal. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include <stdbool.h>
#include "error.h"

/* Read a whole file (at dirfd/path) of at most max bytes, NUL-terminated. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, cerr *err);
/* The same, but a file that is not there is no error: 0, *out NULL. */
int read_file_if_there(int dirfd, const char *path, size_t max, char **out, size_t *len, cerr *err);
/* The same for what is left of an open fd; path names it in errors. */
int read_fd(int fd, const char *path, size_t max, char **out, size_t *len, cerr *err);
static inline int read_file(const char *path, size_t max, char **out, size_t *len, cerr *err)
{
	return read_file_at(-100 /* AT_FDCWD */, path, max, out, len, err);
}
/* fsync a directory, making the entries made in it durable; 0 or -errno. */
int fsync_dir(const char *dir);
/* Write all of data (again after EINTR and short writes); 0 or -errno. */
int write_all(int fd, const void *data, size_t len);
/* The most files fsync_all and fsync_dirs take at once. */
#define FSYNC_ALL_MAX 8
/* Write data to a temporary file beside path, fsync it, rename it into place,
 * and fsync the directory, so a crash leaves the old file or the new one.
 * The temporary file has a new unpredictable name (<path>.tmp.<random>) and
 * is made with O_EXCL|O_NOFOLLOW, so nothing planted beside path is written
 * through: path may be in a directory that others write. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, cerr *err);
/* The same; WFA_NO_DIRSYNC skips the fsync of the directory: the caller
 * syncs it once for a batch, or the rename replaces an older file, so a
 * crash still leaves the old file or the new one, never half of one. */
#define WFA_NO_DIRSYNC 1u
/* No fsync at all, only the rename: for a file that needs not outlive a
 * crash, as long as no reader ever sees half of it. */
#define WFA_NO_SYNC 2u
int write_file_atomic_ex(const char *path, const void *data, size_t len, mode_t mode, unsigned flags, cerr *err);
/* write_file_atomic in two steps, so that the disk writes the data while
 * the caller works: begin writes the temporary file and starts its
 * writeback; commit fsyncs and renames it (no directory fsync); abort
 * removes it. Either commit or abort must follow a successful begin. */
typedef struct wfa_pending {
	int fd;
	char *tmp, *path;
} wfa_pending;
#define WFA_PENDING_INIT { .fd = -1 }
int wfa_begin(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, cerr *err);
/* With WFA_PREMADE, begin writes path's premade temporary file when there is
 * one (made ahead, its mode already set: supervisor/daemon/fastpath.c),
 * rather than make an inode; it is opened without following a symlink,
 * and only a plain file with one name is used. Only for a directory that
 * nobody but the caller writes: anyone who could plant that fixed name
 * could choose the file that becomes path. */
#define WFA_PREMADE 4u
#define WFA_PREMADE_FORMAT "%s.tmp.premade"
int wfa_begin_ex(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		 cerr *err);
int wfa_commit(wfa_pending *p, cerr *err);
/* Commit several: their fsyncs overlap, then they are renamed in order. */
int wfa_commit_all(wfa_pending *const *p, size_t n, cerr *err);
void wfa_abort(wfa_pending *p);
/* Mark every fd from first up close-on-exec (close_range); 0 or -errno. */
int fds_cloexec_from(unsigned first);
/* Write a short string to an existing file (proc, sysfs, cgroupfs). */
int write_file_str(const char *path, const char *s);
int write_file_str_at(int dirfd, const char *path, const char *s);
int mkdir_p(const char *path, mode_t mode);
