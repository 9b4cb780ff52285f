/* Whiteouts, as the image-spec defines them (".wh.NAME" hides NAME of the
 * lower layers, ".wh..wh..opq" hides all of a directory's lower content) and
 * as overlayfs stores them (a 0/0 character device, and the xattr
 * trusted.overlay.opaque=y). Layer directories in the store use the overlay
 * form, so they stack directly; flattening applies them by deletion. */
#pragma once
#include <stdbool.h>
#include <sys/stat.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE_NAME ".wh..wh..opq"
#define OVL_OPAQUE_XATTR "trusted.overlay.opaque"

enum wh_kind {
	WH_NONE,    /* an ordinary name */
	WH_FILE,    /* ".wh.NAME": *target is NAME */
	WH_OPAQUE,  /* ".wh..wh..opq" */
	WH_META,    /* other ".wh..wh.*" (aufs metadata): ignored */
	WH_INVALID, /* ".wh." alone, or a target of "." or ".." */
};

/* Classify the last component of a path. */
enum wh_kind wh_classify(const char *name, const char **target);
/* Is st an overlay whiteout (a 0/0 character device)? */
static inline bool wh_is_overlay(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}
/* Make NAME in dirfd an overlay whiteout, unless this layer already has an
 * entry of that name (the spec: a whiteout only hides lower layers), in which
 * case a directory is made opaque instead. 0 or -errno. */
int wh_make(int dirfd, const char *name);
/* Mark the directory fd (opened for reading) opaque. */
int wh_set_opaque(int dirfd);
/* Is the directory fd opaque? */
bool wh_is_opaque(int dirfd);
