/* COPY and ADD's parts (bld_copy.c, bld_copy_walk.c, bld_copy_io.c). */
#pragma once
#include <sys/stat.h>
#include "supervisor/build/bld.h"

struct archive;

#define COPY_URLS_MAX 16

typedef struct copy_job {
	bool add;                    /* ADD: a local archive source is unpacked */
	char *from;                  /* --from, or NULL: the context */
	char **sources;              /* cleaned, relative to the context (or the --from image's /) */
	char *dest;                  /* relative to /, "" for / itself */
	bool dest_dir;               /* it ends in "/": the sources go into it */
	long uid, gid;               /* --chown, or -1 */
	int mode;                    /* --chmod, or -1 */
	char digest[DIGEST_STR_LEN]; /* the sources' content hash, for the history */
	/* ADD's URLs, fetched: each an unnamed file and the name it takes */
	int url_fds[COPY_URLS_MAX];
	char *url_names[COPY_URLS_MAX];
	size_t n_urls;
} copy_job;

/* The context's sources of j: hashed into content (out NULL), or written
 * into the tar out under their destination names. */
int copy_walk_context(bld *b, const copy_job *j, struct archive *out, char content[DIGEST_STR_LEN], cerr *err);
/* The files of j into container id: from the context, or from the image
 * from_image (a container of it made for the reading). */
int copy_into(bld *b, const copy_job *j, const char *id, const char *from_image, cerr *err);
/* One entry under its destination name, with --chown and --chmod applied;
 * its data (for a file) from fd, or from the archive in (fd -1). */
int copy_put(const copy_job *j, struct archive *out, const char *name, const struct stat *st, const char *link, int fd,
	     struct archive *in, cerr *err);
/* FROM's and --from's image as corrald has it (pulled when it has not). */
int bld_base_image(bld *b, bld_stage *s, const char *ref, cerr *err);
/* bld_fetch.c: ADD's remote sources. */
bool bld_is_url(const char *s);
/* url fetched into an unnamed file of the context's directory (*fd), at
 * most max bytes; *name the name it takes. */
int bld_fetch(bld *b, const char *url, uint64_t max, int *fd, char **name, cerr *err);
