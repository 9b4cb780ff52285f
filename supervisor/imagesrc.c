#include "imagesrc.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void image_ref_release(image_ref *r)
{
	free(r->id);
	free(r->name);
	free(r->rootfs);
	strv_free(r->env);
	strv_free(r->entrypoint);
	strv_free(r->cmd);
	free(r->workdir);
	free(r->user);
	memset(r, 0, sizeof(*r));
}

int imagesrc_resolve(const char *state_dir, const char *image, image_ref *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	struct stat st;
	if (image[0] != '/' || stat(image, &st) < 0 || !S_ISDIR(st.st_mode))
		return cerr_set(err, ENOENT, "no such image: %s", image);
	out->id = strdup(image);
	out->name = strdup(image);
	out->rootfs = strdup(image);
	out->shared = true;
	if (!out->id || !out->name || !out->rootfs) {
		image_ref_release(out);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}
