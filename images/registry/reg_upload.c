#include "images/registry/reg_upload.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TAIL_MAX 4096 /* an upload location with its state */

/* The upload location a registry gave, as a path after /v2/ with the
 * blob's digest: on the registry itself only, so that no credential and
 * no byte goes to a host the push was not asked to reach. */
static int upload_tail(const char *endpoint, const char *loc, const char *digest, char *out, size_t n, cerr *err)
{
	const char *p = loc;
	if (!loc)
		return cerr_set(err, EPROTO, "%s: blob %s: an upload answer without a Location", endpoint, digest);
	if (!strncmp(p, "https://", 8) || !strncmp(p, "http://", 7)) {
		p = strstr(p, "://") + 3;
		size_t hl = strlen(endpoint);
		if (strncmp(p, endpoint, hl) || p[hl] != '/')
			return cerr_set(err, EPROTO, "%s: blob %s: an upload location on another host (%.100s): not followed",
					endpoint, digest, loc);
		p += hl;
	}
	if (strncmp(p, "/v2/", 4) || strpbrk(p, " \t\r\n#"))
		return cerr_set(err, EPROTO, "%s: blob %s: upload location %.100s: not a path under /v2/", endpoint, digest,
				loc);
	p += 4;
	int w = snprintf(out, n, "%s%sdigest=sha256%%3A%s", p, strchr(p, '?') ? "&" : "?", digest + 7);
	if (w < 0 || (size_t)w >= n)
		return cerr_set(err, EPROTO, "%s: blob %s: an upload location longer than %zu bytes", endpoint, digest, n);
	return 0;
}

/* POST /v2/PATH/blobs/uploads/ (with ?mount=&from= when from): 1 when the
 * registry mounted it (201), else 0 with where to upload in tail. */
static int start_upload(reg_client *c, const char *endpoint, const char *path, const reg_blob *b, const char *from,
			char *tail, size_t n, cerr *err)
{
	char url[1024], scope[1200], what[200];
	if (from) {
		snprintf(url, sizeof(url), "%s/blobs/uploads/?mount=sha256%%3A%s&from=%s", path, b->digest + 7, from);
		snprintf(scope, sizeof(scope), "repository:%s:pull,push repository:%s:pull", path, from);
		snprintf(what, sizeof(what), "mount of blob %s", b->digest);
	} else {
		snprintf(url, sizeof(url), "%s/blobs/uploads/", path);
		snprintf(scope, sizeof(scope), "repository:%s:pull,push", path);
		snprintf(what, sizeof(what), "upload of blob %s", b->digest);
	}
	reg_request q = { .method = "POST", .endpoint = endpoint, .url_tail = url, .scope = scope, .what = what, .body = "" };
	_cleanup_(reg_answer_free) reg_answer a = { 0 };
	int r = reg_send(c, &q, &a, err);
	if (r < 0)
		return r;
	if (from && a.status == 201)
		return 1;
	if (a.status != 202)
		return cerr_set(err, EPROTO, "%s: %s: HTTP %ld, not 202", endpoint, what, a.status);
	return upload_tail(endpoint, a.location, b->digest, tail, n, err);
}

int reg_push_blob(reg_client *c, const char *endpoint, const char *path, reg_blob *b, cerr *err)
{
	_cleanup_cerr_ cerr head = { 0 };
	int r = reg_head_blob(c, endpoint, path, b->digest, &head);
	if (r == 0) {
		b->how = REG_BLOB_EXISTS;
		return 0;
	}
	if (head.code != ENOENT)
		return cerr_set(err, head.code, "%s", cerr_msg(&head));
	char tail[TAIL_MAX] = "";
	for (char *const *f = b->from; f && *f && !tail[0]; f++) {
		if ((r = start_upload(c, endpoint, path, b, *f, tail, sizeof(tail), err)) < 0)
			return r;
		if (r == 1) {
			b->how = REG_BLOB_MOUNTED;
			b->mounted_from = *f;
			return 0;
		}
	}
	/* no mount: the 202 of the last one is an upload to use, as the spec says */
	if (!tail[0] && (r = start_upload(c, endpoint, path, b, NULL, tail, sizeof(tail), err)) < 0)
		return r;
	char scope[600], what[200];
	snprintf(scope, sizeof(scope), "repository:%s:pull,push", path);
	snprintf(what, sizeof(what), "blob %s", b->digest);
	reg_request q = { .method = "PUT", .endpoint = endpoint, .url_tail = tail, .scope = scope, .what = what,
			  .content_type = "application/octet-stream", .fd = b->fd, .len = b->size, .sent = b->sent,
			  .ctx = b->ctx };
	_cleanup_(reg_answer_free) reg_answer a = { 0 };
	if ((r = reg_send(c, &q, &a, err)) < 0)
		return r;
	if (a.status != 201)
		return cerr_set(err, EPROTO, "%s: %s: HTTP %ld, not 201", endpoint, what, a.status);
	b->how = REG_BLOB_SENT;
	return 0;
}

int reg_put_manifest(reg_client *c, const char *endpoint, const char *path, const char *tag, const char *type,
		     const char *body, size_t len, const char *digest, cerr *err)
{
	char url[600], scope[600], what[200];
	snprintf(url, sizeof(url), "%s/manifests/%s", path, tag);
	snprintf(scope, sizeof(scope), "repository:%s:pull,push", path);
	snprintf(what, sizeof(what), "manifest %s", tag);
	reg_request q = { .method = "PUT", .endpoint = endpoint, .url_tail = url, .scope = scope, .what = what,
			  .content_type = type, .body = body, .len = len };
	_cleanup_(reg_answer_free) reg_answer a = { 0 };
	int r = reg_send(c, &q, &a, err);
	if (r < 0)
		return r;
	if (a.digest && strcmp(a.digest, digest))
		return cerr_set(err, EPROTO, "%s: %s: the registry took it as %.80s, not %s", endpoint, what, a.digest, digest);
	return 0;
}
