/* COPY and ADD's parts (bld_copy.c, bld_copy_walk.c, bld_copy_io.c). */
#pragma once
#include <sys/stat.h>
#include "supervisor/build/bld.h"

struct archive;

#define COPY_URLS_MAX 16

typedef struct copy_op {
	bool add;                    /* ADD: a local archive source is unpacked */
	char *from;                  /* --from, or NULL: the context */
	char **sources;              /* cleaned, relative to the context (or the --from image's /) */
	char *dest;                  /* relative to /, "" for / itself */
	bool dest_dir;               /* it ends in "/", is ".", or is a directory: the sources go into it */
	long uid, gid;               /* --chown, or -1 */
	char *chown;                 /* --chown with a name in it: resolved in the step's container */
	int mode;                    /* --chmod, or -1 */
	char digest[DIGEST_STR_LEN]; /* the sources' content hash, for the history */
	/* ADD's URLs, fetched: each an unnamed file and the name it takes */
	int url_fds[COPY_URLS_MAX];
	char *url_names[COPY_URLS_MAX];
	size_t n_urls;
} copy_op;

int bld_step_copy(bld *b, bld_stage *s, const df_instr *in, cerr *err);

/* Docker's words for sources, or a wildcard's matches, more than one, to a
 * destination that is not a directory */
static inline const char *copy_many_to_a_file(const copy_op *j)
{
	return j->add ? "When using ADD with more than one source file, the destination must be a directory and end with a /"
		      : "When using COPY with more than one source file, the destination must be a directory and end with a /";
}
