/* A registry as an image source: its manifests and small blobs as memfds,
 * its layers through reg_layer.c. */
#include "images/registry/regsrc_state.h"
#include "images/registry/reg_layer.h"
#include "images/registry/reg_ingest.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd_of(const void *data, size_t len)
{
	int fd = memfd_create("corral-blob", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = write_all(fd, data, len);
	if (r < 0) {
		close(fd);
		return r;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* index.json: one descriptor, of the manifest found. */
static int open_path(void *state, const char *path)
{
	reg_source *rs = state;
	if (strcmp(path, "index.json"))
		return -ENOENT;
	char *text = NULL;
	int n = asprintf(&text,
			 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
			 rs->p.top_type, rs->p.top_digest, rs->p.top_len);
	if (n < 0)
		return -ENOMEM;
	int fd = memfd_of(text, (size_t)n);
	free(text);
	return fd;
}

static int fetched(int r, reg_resp *resp, cerr *err)
{
	if (r < 0) {
		log_error("%s", cerr_msg(err));
		return r;
	}
	int fd = memfd_of(resp->body, resp->len);
	reg_resp_free(resp);
	return fd;
}

/* The import reads these through the source's open_*, which return
 * -errno only: the reason is logged here, where it is known. A manifest
 * (the top one from memory) or a small blob, as a memfd. */
static int open_manifest(void *state, const char *digest)
{
	reg_source *rs = state;
	if (!strcmp(digest, rs->p.top_digest))
		return memfd_of(rs->p.top, rs->p.top_len);
	_cleanup_cerr_ cerr err = { 0 };
	reg_resp resp = { 0 };
	int r = reg_get_manifest(rs->p.client, rs->p.endpoint, rs->p.path, digest, rs->p.max_json + 1, &resp, &err);
	return fetched(r, &resp, &err);
}

static int open_blob(void *state, const char *digest)
{
	reg_source *rs = state;
	_cleanup_cerr_ cerr err = { 0 };
	reg_resp resp = { 0 };
	int r = reg_get_blob(rs->p.client, rs->p.endpoint, rs->p.path, digest, rs->p.max_json + 1, &resp, &err);
	return fetched(r, &resp, &err);
}

/* A layer the store has from someone else is ours to use if the registry
 * serves its blob to us. */
static bool serves_blob(void *state, const char *digest)
{
	reg_source *rs = state;
	_cleanup_cerr_ cerr herr = { 0 };
	if (reg_head_blob(rs->p.client, rs->p.endpoint, rs->p.path, digest, &herr) == 0)
		return true;
	log_debug("layer %s: %s; fetching it", digest, cerr_msg(&herr));
	return false;
}

static void cancel(void *state)
{
	reg_source *rs = state;
	reg_client_cancel(rs->p.client);
}

static void close_source(void *state)
{
	reg_source *rs = state;
	regsrc_unlock(rs);
	free(rs->ing);
	free(rs);
}

int regsrc_open(const regsrc_params *p, image_source **out, cerr *err)
{
	reg_source *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return cerr_set(err, ENOMEM, "out of memory");
	rs->p = *p;
	rs->iface = (image_source){
		.state = rs, .keeps_blobs = true,
		.open_manifest = open_manifest, .open_blob = open_blob, .open_path = open_path,
		.begin_layers = regsrc_lock_layers, .stage_layer = regsrc_stage_layer, .serves_blob = serves_blob,
		.cancel = cancel, .commit = regsrc_commit, .close = close_source,
	};
	*out = &rs->iface;
	return 0;
}
