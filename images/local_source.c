#include "images/local_source.h"
#include "images/digest.h"
#include "common/cleanup.h"
#include "common/safepath.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* "PATH" or "PATH:REF": the longest prefix that exists is the path. */
static int split_ref(const char *rest, char **path, char **ref)
{
	*ref = NULL;
	if (exists(rest) || !strchr(rest, ':')) {
		*path = strdup(rest);
		return *path ? 0 : -ENOMEM;
	}
	const char *c = strrchr(rest, ':');
	*path = strndup(rest, (size_t)(c - rest));
	*ref = strdup(c + 1);
	if (!*path || !*ref)
		return -ENOMEM;
	if (!**ref) {
		free(*ref);
		*ref = NULL;
	}
	return 0;
}

static int unpack_archive(img_source *src, int stage_fd, const extract_limits *lim, cerr *err)
{
	if (mkdirat(stage_fd, "src", 0700) < 0)
		return cerr_sys(err, errno, "staging");
	src->dirfd = openat(stage_fd, "src", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src->dirfd < 0)
		return cerr_sys(err, errno, "staging");
	struct archive *a = archive_read_new();
	if (!a)
		return cerr_set(err, ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	int r = 0;
	if (archive_read_open_filename(a, src->path, 1 << 20) != ARCHIVE_OK) {
		r = cerr_set(err, EINVAL, "not a tar archive: %s", archive_error_string(a) ?: "unreadable");
		goto out;
	}
	extract_ctx x;
	extract_init(&x, src->dirfd, EXTRACT_PLAIN, "archive", lim);
	struct archive_entry *e;
	int ar;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN)
		if ((r = extract_entry(&x, a, e, err)) < 0)
			break;
	extract_done(&x);
	if (r == 0 && ar != ARCHIVE_EOF)
		r = cerr_set(err, EBADMSG, "archive: %s", archive_error_string(a) ?: "read error");
out:
	archive_read_free(a);
	return r;
}

static bool has(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

/* Open a blob (blobs/sha256/<hex>) or a file named by manifest.json, always
 * resolved inside the source. fd or -errno. */
static int open_path(void *state, const char *path)
{
	img_source *src = state;
	/* O_NONBLOCK: a FIFO planted in a layout must not hang the import */
	int fd = open_in_root(src->dirfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* A manifest or index is a blob too, in a layout. */
static int open_blob(void *state, const char *digest)
{
	if (!digest_valid(digest))
		return -EINVAL;
	char p[DIGEST_STR_LEN + 16];
	snprintf(p, sizeof(p), "blobs/sha256/%s", digest_hex(digest));
	return open_path(state, p);
}

static void close_source(void *state)
{
	source_close(state);
}

int source_open(img_source *src, const char *spec, int stage_fd, const extract_limits *lim, cerr *err)
{
	static const struct { const char *prefix; enum src_kind k; } pre[] = {
		{ "oci:", SRC_OCI }, { "oci-archive:", SRC_OCI_ARCHIVE }, { "docker-archive:", SRC_DOCKER_ARCHIVE },
	};
	memset(src, 0, sizeof(*src));
	src->dirfd = -1;
	const char *rest = spec;
	for (size_t i = 0; i < ARRAY_SIZE(pre); i++)
		if (strncmp(spec, pre[i].prefix, strlen(pre[i].prefix)) == 0) {
			src->kind = pre[i].k;
			rest = spec + strlen(pre[i].prefix);
		}
	if (split_ref(rest, &src->path, &src->ref) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	struct stat st;
	if (stat(src->path, &st) < 0)
		return cerr_sys(err, errno, "%s", src->path);
	int r;
	if (S_ISDIR(st.st_mode)) {
		if (src->kind == SRC_OCI_ARCHIVE || src->kind == SRC_DOCKER_ARCHIVE)
			return cerr_set(err, EINVAL, "%s: a directory, not an archive", src->path);
		src->dirfd = open(src->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (src->dirfd < 0)
			return cerr_sys(err, errno, "%s", src->path);
	} else if (S_ISREG(st.st_mode)) {
		if (src->kind == SRC_OCI)
			return cerr_set(err, EINVAL, "%s: not a directory (use oci-archive:)", src->path);
		if ((r = unpack_archive(src, stage_fd, lim, err)) < 0)
			return r;
	} else {
		return cerr_set(err, EINVAL, "%s: neither a directory nor a file", src->path);
	}
	bool oci = has(src->dirfd, "index.json") && has(src->dirfd, "oci-layout");
	bool docker = has(src->dirfd, "manifest.json");
	/* moby >= 25 archives carry both; the OCI index verifies more */
	if (src->kind == SRC_DOCKER_ARCHIVE)
		src->docker = docker;
	else if (src->kind == SRC_AUTO)
		src->docker = docker && !oci;
	if (src->kind == SRC_DOCKER_ARCHIVE && !docker)
		return cerr_set(err, EINVAL, "not a docker-archive: no manifest.json");
	if (!src->docker && !oci)
		return cerr_set(err, EINVAL, "not an OCI layout: no oci-layout and index.json%s",
				docker ? "" : ", and no manifest.json");
	src->iface = (image_source){
		.state = src, .ref = src->ref, .docker = src->docker,
		.open_manifest = open_blob, .open_blob = open_blob, .open_path = open_path, .close = close_source,
	};
	return 0;
}

void source_close(img_source *src)
{
	if (src->dirfd >= 0)
		close(src->dirfd);
	src->dirfd = -1;
	free(src->path);
	free(src->ref);
	src->path = src->ref = NULL;
}
