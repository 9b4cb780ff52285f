/* One entry of a COPY's tar under its destination name, --chown and
 * --chmod applied (bld_copy.h): what the context's walk and the --from
 * copy both write. */
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld_copy_put.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int copy_put(const copy_op *j, struct archive *out, const char *name, const struct stat *st, const char *link, int fd,
	     struct archive *in, cerr *err)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return cerr_set(err, ENOMEM, "out of memory");
	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, name);
	archive_entry_set_nlink(e, 1);
	if (link)
		archive_entry_set_symlink(e, link);
	if (j->uid >= 0)
		archive_entry_set_uid(e, (la_int64_t)j->uid), archive_entry_set_gid(e, (la_int64_t)j->gid);
	if (j->mode >= 0 && !link)
		archive_entry_set_perm(e, (mode_t)j->mode);
	bool data = S_ISREG(st->st_mode) && !link;
	if (!data)
		archive_entry_set_size(e, 0);
	int r = archive_write_header(out, e) < ARCHIVE_WARN ? cerr_set(err, EIO, "%s: %s", name, archive_error_string(out)) : 0;
	archive_entry_free(e);
	char buf[65536];
	int64_t left = st->st_size;
	while (r == 0 && data && left > 0) {
		la_ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : archive_read_data(in, buf, sizeof(buf));
		if (n < 0 && fd >= 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* it shrank: the header promised its size */
			n = left < (int64_t)sizeof(buf) ? (la_ssize_t)left : (la_ssize_t)sizeof(buf);
			memset(buf, 0, (size_t)n);
		}
		if (n > left)
			n = (la_ssize_t)left;
		if (archive_write_data(out, buf, (size_t)n) < 0)
			r = cerr_set(err, EIO, "%s: %s", name, archive_error_string(out));
		left -= n;
	}
	return r;
}

int copy_put_hardlink(struct archive *out, const char *name, const char *target, cerr *err)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return cerr_set(err, ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_hardlink(e, target);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, 0);
	int r = archive_write_header(out, e) < ARCHIVE_WARN ? cerr_set(err, EIO, "%s: %s", name, archive_error_string(out)) : 0;
	archive_entry_free(e);
	return r;
}
