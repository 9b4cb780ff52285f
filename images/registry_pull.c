/* corral image pull: the reference resolved (search registries, mirrors)
 * to a manifest, verified, and its signature when keys are trusted; then
 * the registry, as a source (images/registry/reg_source.h), stands in for
 * SPEC in an import. */
#include "images/registry_pull.h"
#include "images/manifest.h"
#include "images/pull_sig.h"
#include "images/registry/reference.h"
#include "images/registry/reg_source.h"
#include "images/registry/reg_ingest.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the image's manifest was found, and the manifest. */
typedef struct found {
	reg_client *client;
	char endpoint[REF_NAME_MAX + 1], path[REF_NAME_MAX + 1];
	char *top;
	size_t top_len;
	char top_type[128];
	char top_digest[DIGEST_STR_LEN];
} found;

/* The top manifest from one endpoint, verified: against the digest asked
 * for, else against Docker-Content-Digest when the registry sends one. */
static int fetch_top(found *at, const reg_ref *r, cerr *err)
{
	const char *ref = r->digest[0] ? r->digest : r->tag[0] ? r->tag : "latest";
	reg_resp resp = { 0 };
	int e = reg_get_manifest(at->client, at->endpoint, at->path, ref, IMG_MAX_JSON, &resp, err);
	if (e < 0)
		return e;
	char got[DIGEST_STR_LEN];
	const char *ct = resp.content_type ? resp.content_type : "";
	_cleanup_json_ yajl_val root = NULL;
	_cleanup_cerr_ cerr perr = { 0 };
	if (resp.body && strlen(resp.body) == resp.len)
		json_parse(resp.body, "manifest", &root, &perr);
	yajl_val sv = json_get(root, "schemaVersion"), mt = json_get(root, "mediaType");
	long long ver = 0;
	if (strstr(ct, "docker.distribution.manifest.v1") || (json_int_in(sv, 1, 1, &ver) && ver == 1))
		e = cerr_set(err, EPROTO, "manifest %s is Docker schema 1, which corral does not pull (push it again "
				     "with a current client)", ref);
	else if (!root)
		e = cerr_set(err, EBADMSG, "manifest %s: not JSON", ref);
	else if ((e = digest_buf(resp.body, resp.len, got, err)) < 0)
		;
	else if (r->digest[0] && strcmp(got, r->digest))
		e = cerr_set(err, EBADMSG, "manifest %s: digest mismatch: the content is %s", ref, got);
	else if (!r->digest[0] && resp.digest && strcmp(got, resp.digest))
		e = cerr_set(err, EBADMSG, "manifest %s: the registry says its digest is %.80s, the content is %s", ref,
			     resp.digest, got);
	if (e < 0) {
		reg_resp_free(&resp);
		return e;
	}
	snprintf(at->top_type, sizeof(at->top_type), "%.*s", (int)strcspn(YAJL_IS_STRING(mt) ? mt->u.string : ct, "; "),
		 YAJL_IS_STRING(mt) ? mt->u.string : ct);
	if (strpbrk(at->top_type, "\"\\"))
		at->top_type[0] = '\0';
	if (!mt_is_index(at->top_type) && !mt_is_manifest(at->top_type)) {
		/* no media type at all: an index has "manifests" */
		snprintf(at->top_type, sizeof(at->top_type), "%s", json_get(root, "manifests") ? MT_OCI_INDEX : MT_OCI_MANIFEST);
	}
	memcpy(at->top_digest, got, DIGEST_STR_LEN);
	at->top = TAKE_PTR(resp.body);
	at->top_len = resp.len;
	reg_resp_free(&resp);
	return 0;
}

/* Split "HOST[:PORT][/PATH]" into the endpoint and a path prefix. */
static void split_location(const char *loc, char *endpoint, size_t n, const char **path)
{
	size_t k = strcspn(loc, "/");
	snprintf(endpoint, n, "%.*s", (int)k, loc);
	*path = loc[k] ? loc + k + 1 : "";
}

/* The manifest of r, from its mirrors first and then its registry. */
static int find_manifest(found *at, const reg_conf *conf, const reg_ref *r, cerr *err)
{
	char repo[2 * REF_NAME_MAX + 2];
	reg_ref_repo(r, repo, sizeof(repo));
	if (reg_conf_blocked(conf, repo))
		return cerr_set(err, EACCES, "%s: the registry is blocked (registry-blocked in corrald.conf)", repo);
	int rc = 0;
	for (size_t i = 0; i <= conf->n_mirrors; i++) {
		const reg_mirror *m = i < conf->n_mirrors ? &conf->mirrors[i] : NULL;
		if (m && !reg_prefix_of(m->prefix, repo))
			continue;
		const char *pre = "";
		if (m) {
			split_location(m->location, at->endpoint, sizeof(at->endpoint), &pre);
			snprintf(at->path, sizeof(at->path), "%s%s%s", pre, *pre ? "/" : "",
				 repo + strlen(m->prefix) + (repo[strlen(m->prefix)] == '/'));
		} else {
			snprintf(at->endpoint, sizeof(at->endpoint), "%s", reg_domain_host(r->domain));
			snprintf(at->path, sizeof(at->path), "%s", r->path);
		}
		if (rc < 0) {
			log_info("%s", cerr_msg(err));
			cerr_clear(err);
		}
		if ((rc = fetch_top(at, r, err)) == 0)
			return 0;
	}
	return rc;
}

static int resolve(found *at, const pull_opts *o, const char *text, reg_ref *r, cerr *err)
{
	int e = reg_ref_parse(text, r, err);
	if (e < 0 || !reg_ref_is_short(r))
		return e < 0 ? e : find_manifest(at, o->conf, r, err);
	if (!o->conf->search || !o->conf->search[0])
		return cerr_set(err, EINVAL, "%s: a short name, and no search registries are set (registry-search); give "
					     "the full name, such as docker.io/library/%s", text, text);
	reg_ref short_ref = *r;
	for (char **s = o->conf->search; *s; s++) {
		*r = short_ref;
		if (e < 0) {
			log_info("%s", cerr_msg(err));
			cerr_clear(err);
		}
		if ((e = reg_ref_qualify(r, *s, err)) == 0 && (e = find_manifest(at, o->conf, r, err)) == 0)
			return 0;
	}
	return e;
}

/* The verified signature, where container create's check finds it. */
static int keep_signature(const char *store_root, const char *manifest, const char *doc, cerr *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/images/signatures", store_root);
	snprintf(path, sizeof(path), "%s/%s.sig", dir, digest_hex(manifest));
	int r = mkdir_p(dir, 0700);
	if (r < 0)
		return cerr_sys(err, -r, "%s", dir);
	return write_file_atomic(path, doc, strlen(doc), 0644, err);
}

/* The owner's ingest directory, ingest/<owner>: a member's registry that
 * trickles a layer holds that layer's lock, so owners never wait on each
 * other's pulls. */
static int open_ingest(const char *store_root, uid_t owner, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, store_root, false, err);
	if (r < 0)
		return r;
	char own[32];
	snprintf(own, sizeof(own), "ingest/%u", (unsigned)owner);
	int fd = -1;
	if ((mkdirat(s.dirfd, "ingest", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(s.dirfd, own, 0700) < 0 && errno != EEXIST) ||
	    (fd = openat(s.dirfd, own, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return cerr_sys(err, errno, "store %s: %s", s.root, own);
	return fd;
}

/* Import the image from where it was found, as name. */
static int import_found(const char *store_root, found *at, int ingest_fd, const pull_opts *o, const char *name,
			const char *repo_digest, pull_result *res, cerr *err)
{
	regsrc_params p = {
		.client = at->client, .endpoint = at->endpoint, .path = at->path,
		.top = at->top, .top_type = at->top_type, .top_digest = at->top_digest, .top_len = at->top_len,
		.max_json = IMG_MAX_JSON, .store_root = store_root, .ingest_fd = ingest_fd,
		.max_ingest = o->max_ingest, .progress = o->progress,
	};
	image_source *src = NULL;
	int r = regsrc_open(&p, &src, err);
	if (r < 0)
		return r;
	pull_opts po = *o;
	po.io.name = name[0] ? name : NULL;
	po.io.source = src;
	po.io.parallel = o->parallel ? o->parallel : PULL_PARALLEL_DEFAULT;
	po.io.repo_digest = repo_digest;
	r = image_import(store_root, NULL, &po.io, &res->imp, err);
	src->close(src->state);
	return r;
}

int image_pull(const char *store_root, const char *text, const pull_opts *o, pull_result *res, cerr *err)
{
	signal(SIGPIPE, SIG_IGN); /* a feeder whose unpacker failed gets EPIPE */
	found at = { 0 };
	_cleanup_close_ int ingest_fd = -1;
	int r = reg_client_new(o->conf, o->auth_json, &at.client, err);
	reg_ref ref;
	if (r == 0)
		r = resolve(&at, o, text, &ref, err);
	if (r == 0 && (ingest_fd = open_ingest(store_root, o->io.owner, err)) < 0)
		r = ingest_fd;
	char name[sizeof(res->ref)] = "", repo[2 * REF_NAME_MAX + 2];
	_cleanup_free_ char *sig = NULL;
	if (r == 0)
		reg_ref_repo(&ref, repo, sizeof(repo));
	/* signed, before a byte of its layers is fetched */
	if (r == 0 && o->trusted_keys)
		r = pull_verify_signature(at.client, at.endpoint, at.path, repo, at.top_digest, o->trusted_keys, &sig, err);
	if (r == 0) {
		reg_ref_string(&ref, res->ref, sizeof(res->ref));
		if (ref.tag[0])
			snprintf(name, sizeof(name), "%s:%s", repo, ref.tag);
		else if (!ref.digest[0])
			snprintf(name, sizeof(name), "%s:latest", repo);
		memcpy(res->repo_digest, at.top_digest, DIGEST_STR_LEN);
		char rd[sizeof(repo) + DIGEST_STR_LEN + 1];
		snprintf(rd, sizeof(rd), "%s@%s", repo, at.top_digest);
		r = import_found(store_root, &at, ingest_fd, o, name, rd, res, err);
	}
	if (r == 0 && sig)
		r = keep_signature(store_root, res->imp.manifest, sig, err);
	if (at.client)
		reg_client_counts(at.client, &res->requests, &res->bytes);
	reg_client_free(at.client);
	free(at.top);
	return r;
}

unsigned ingest_sweep(const char *store_root, unsigned max_age, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	if (store_open(&s, store_root, false, err) < 0)
		return 0;
	_cleanup_close_ int top = openat(s.dirfd, "ingest", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return reg_ingest_sweep(top, max_age);
}
