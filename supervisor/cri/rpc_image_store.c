/* The image store as a whole: RemoveImage takes an image out of it,
 * ImageFsInfo says where it is and what it holds. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_image_store.h"
#include "supervisor/cri/rpc_images.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <limits.h>
#include <stdio.h>
#include <time.h>

/* ---- RemoveImage: the image with every name of it, as containerd
 * removes it, so by its id (a name alone would only untag it). One that is
 * not there is removed already: OK, as the CRI says. A member removes what
 * is its own (corrald's ImageRemove): root's shared image is refused. */

static void removed(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__RemoveImageRequest *req = data;
	if (rep->error && !cri_no_such_image(rep))
		return cri_fail_corrald(c, rep, req->image->image);
	Runtime__V1__RemoveImageResponse r = RUNTIME__V1__REMOVE_IMAGE_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

static void remove_found(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return removed(c, rep, data);
	const char *id = json_str(json_get(rep->params, "image"), "id");
	if (!id)
		return cri_fail(c, GRPC_INTERNAL, "RemoveImage: corrald's image has no id");
	_cleanup_free_ char *params = cri_image_params(id);
	if (!params)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "RemoveImage: out of memory");
	cri_corrald(c, "ImageRemove", params, 0, removed, data);
}

void rpc_remove_image(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__RemoveImageRequest *req = (const void *)msg;
	if (!cri_image_named(c, req->image))
		return;
	_cleanup_free_ char *params = cri_image_params(req->image->image);
	if (!params)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "RemoveImage: out of memory");
	cri_corrald(c, "ImageInspect", params, 0, remove_found, (void *)req);
}

/* ---- ImageFsInfo: the store's directory (<state-dir>/images), whose
 * file system kubelet measures, and the bytes of the images the caller
 * sees, each whole (a layer two images share counts twice). inodes_used
 * is left unset, which the CRI's wrapper means as unknown: corrald counts
 * no inodes. Containers' writable layers are in the same state directory,
 * so on the same file system: container_filesystems is left empty (kubelet
 * then takes the image file system for both), as containerd 1.6 leaves
 * it. */

typedef struct fs_step {
	uint64_t used;
} fs_step;

static void fs_answer(cri_call *c, vl_reply *rep, void *data)
{
	fs_step *st = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, "ImageFsInfo");
	const char *state = json_str(rep->params, "stateDir");
	char store[PATH_MAX];
	snprintf(store, sizeof(store), "%s/images", state ? state : "");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	Runtime__V1__FilesystemIdentifier id = RUNTIME__V1__FILESYSTEM_IDENTIFIER__INIT;
	id.mountpoint = store;
	Runtime__V1__UInt64Value used = RUNTIME__V1__UINT64_VALUE__INIT;
	used.value = st->used;
	Runtime__V1__FilesystemUsage fs = RUNTIME__V1__FILESYSTEM_USAGE__INIT;
	fs.timestamp = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	fs.fs_id = &id;
	fs.used_bytes = &used;
	Runtime__V1__FilesystemUsage *all[] = { &fs };
	Runtime__V1__ImageFsInfoResponse r = RUNTIME__V1__IMAGE_FS_INFO_RESPONSE__INIT;
	r.n_image_filesystems = 1, r.image_filesystems = all;
	cri_reply(c, &r.base);
}

static void fs_listed(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, "ImageFsInfo");
	fs_step *st = cri_call_ctx(c, sizeof(*st));
	if (!st)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ImageFsInfo: out of memory");
	yajl_val list = json_get(rep->params, "images");
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		uint64_t size;
		if (json_uint64(json_get(list->u.array.values[i], "size"), &size))
			st->used += size;
	}
	cri_corrald(c, "GetInfo", NULL, 0, fs_answer, st);
}

void rpc_image_fs_info(cri_call *c, const ProtobufCMessage *msg)
{
	cri_corrald(c, "ImageList", NULL, 0, fs_listed, NULL);
}
