#include "images/registry_push.h"
#include "images/image.h"
#include "images/manifest.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/registry/reference.h"
#include "images/registry/reg_upload.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct pusher {
	img_store *s;
	reg_client *c;
	const push_opts *o;
	const char *endpoint, *path;
	char **from;       /* paths on the same registry the image was pulled from */
	const char *blob;  /* the one on its way, for progress */
	uint64_t total;
} pusher;

static void progress(pusher *p, uint64_t done, const char *state, const char *from)
{
	if (!p->o->progress)
		return;
	fprintf(p->o->progress, "blob %s %llu %llu %s%s%s\n", p->blob, (unsigned long long)done,
		(unsigned long long)p->total, state, from ? " " : "", from ? from : "");
	fflush(p->o->progress);
}

static void on_sent(uint64_t done, void *ctx)
{
	progress(ctx, done, "pushing", NULL);
}

static int push_one(pusher *p, const char *digest, uint64_t size, cerr *err)
{
	_cleanup_close_ int fd = openat(p->s->blobs_fd, digest_hex(digest), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return cerr_sys(err, errno, "blob %s: the store's copy", digest);
	if ((uint64_t)st.st_size != size)
		return cerr_set(err, EBADMSG, "blob %s: the store's copy is %lld bytes, the manifest says %llu", digest,
				(long long)st.st_size, (unsigned long long)size);
	p->blob = digest;
	p->total = size;
	progress(p, 0, "pushing", NULL);
	reg_blob b = { .digest = digest, .fd = fd, .size = size, .from = p->from, .sent = on_sent, .ctx = p };
	int r = reg_push_blob(p->c, p->endpoint, p->path, &b, err);
	if (r < 0)
		return r;
	progress(p, size, b.how == REG_BLOB_EXISTS ? "exists" : b.how == REG_BLOB_MOUNTED ? "mounted" : "pushed",
		 b.mounted_from);
	return 0;
}

/* The repositories of dest's registry the image was pulled from (its
 * repoDigests), but dest's own. */
static int mount_sources(const ref_image *im, const reg_ref *dest, char ***out, cerr *err)
{
	for (char **rd = im->repo_digests; rd && *rd; rd++) {
		reg_ref r;
		_cleanup_cerr_ cerr e = { 0 };
		if (reg_ref_parse(*rd, &r, &e) < 0 || strcmp(r.domain, dest->domain) || !strcmp(r.path, dest->path))
			continue;
		bool known = false;
		for (char **k = *out; k && *k; k++)
			known = known || !strcmp(*k, r.path);
		if (known)
			continue;
		char *dup = strdup(r.path);
		if (!dup || strv_push(out, dup) < 0) {
			free(dup);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int parse_dest(const char *dest, const reg_conf *conf, reg_ref *r, cerr *err)
{
	if (reg_ref_parse(dest, r, err) < 0)
		return -EINVAL;
	if (reg_ref_is_short(r))
		return cerr_set(err, EINVAL, "%s: name the registry to push to: HOST[:PORT]/PATH[:TAG]", dest);
	if (r->digest[0])
		return cerr_set(err, EINVAL, "%s: a push goes to a tag, not a digest", dest);
	if (!r->tag[0])
		snprintf(r->tag, sizeof(r->tag), "latest");
	char repo[2 * REF_NAME_MAX + 2];
	reg_ref_repo(r, repo, sizeof(repo));
	if (reg_conf_blocked(conf, repo))
		return cerr_set(err, EACCES, "%s: the registry is blocked (registry-blocked in corrald.conf)", repo);
	return 0;
}

/* The manifest's media type: its own, else what its config says it is. */
static const char *manifest_type(const img_manifest *m)
{
	if (m->media_type)
		return m->media_type;
	return m->config.media_type && !strcmp(m->config.media_type, MT_DOCKER_CONFIG) ? MT_DOCKER_MANIFEST
										    : MT_OCI_MANIFEST;
}

static int send_image(pusher *p, const img_handle *h, const reg_ref *dest, push_result *res, cerr *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < h->man.n_layers; i++) {
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen = seen || !strcmp(h->man.layers[k].digest, h->man.layers[i].digest);
		if (!seen)
			r = push_one(p, h->man.layers[i].digest, h->man.layers[i].size, err);
	}
	if (r == 0)
		r = push_one(p, h->man.config.digest, h->man.config.size, err);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (r == 0 && (r = read_file_at(p->s->blobs_fd, digest_hex(h->manifest), IMG_MAX_JSON, &text, &len, err)) < 0)
		cerr_wrap(err, "manifest %s", h->manifest);
	if (r == 0)
		r = reg_put_manifest(p->c, p->endpoint, p->path, dest->tag, manifest_type(&h->man), text, len, h->manifest,
				     err);
	if (r == 0) {
		snprintf(res->digest, sizeof(res->digest), "%s", h->manifest);
		res->size = len;
	}
	return r;
}

int image_push(const char *store_root, const char *image, const char *dest, const push_opts *o, push_result *res,
	       cerr *err)
{
	*res = (push_result){ 0 };
	reg_ref to;
	int r = parse_dest(dest, o->conf, &to, err);
	if (r < 0)
		return r;
	reg_ref_string(&to, res->ref, sizeof(res->ref));
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_(image_handle_free) img_handle h = { 0 };
	_cleanup_strv_ char **from = NULL;
	int i;
	if ((r = store_open(&s, store_root, false, err)) < 0 || (r = refs_load(&s, &db, err)) < 0)
		return r;
	if ((i = refs_find(&db, NULL, image, NULL, err)) < 0)
		return i;
	if ((r = image_load(&s, db.images[i].manifest, &h, err)) < 0 || (r = mount_sources(&db.images[i], &to, &from, err)) < 0)
		return r;
	reg_client *c = NULL;
	if ((r = reg_client_new(o->conf, o->auth_json, &c, err)) < 0)
		return r;
	reg_client_pushes(c);
	pusher p = { .s = &s, .c = c, .o = o, .endpoint = reg_domain_host(to.domain), .path = to.path, .from = from };
	r = send_image(&p, &h, &to, res, err);
	reg_client_counts(c, &res->requests, &res->bytes);
	reg_client_free(c);
	return r;
}
