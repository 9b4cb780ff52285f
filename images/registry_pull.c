#include "images/registry_pull.h"
#include "images/import_job.h"
#include "images/layer.h"
#include "images/manifest.h"
#include "images/pull_sig.h"
#include "images/pull_source.h"
#include "images/registry/reference.h"
#include "images/source.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FEED_BUF (256u << 10)
#define PROGRESS_EVERY_NS 250000000ll


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

int regsrc_open_path(reg_source *rs, const char *path)
{
	if (strcmp(path, "index.json"))
		return -ENOENT;
	char *text = NULL;
	int n = asprintf(&text,
			 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
			 rs->top_type, rs->top_digest, rs->top_len);
	if (n < 0)
		return -ENOMEM;
	int fd = memfd_of(text, (size_t)n);
	free(text);
	return fd;
}

static int fetched(reg_source *rs, int r, reg_resp *resp, cerr *err)
{
	if (r < 0) {
		log_error("%s", cerr_msg(err));
		return r;
	}
	int fd = memfd_of(resp->body, resp->len);
	reg_resp_free(resp);
	return fd;
}

/* import reads these through source_open_*, which return -errno only: the
 * reason is logged here, where it is known. */
int regsrc_open_manifest(reg_source *rs, const char *digest)
{
	if (!strcmp(digest, rs->top_digest))
		return memfd_of(rs->top, rs->top_len);
	_cleanup_cerr_ cerr err = { 0 };
	reg_resp resp = { 0 };
	int r = reg_get_manifest(rs->client, rs->endpoint, rs->path, digest, IMG_MAX_JSON + 1, &resp, &err);
	return fetched(rs, r, &resp, &err);
}

int regsrc_open_blob(reg_source *rs, const char *digest)
{
	_cleanup_cerr_ cerr err = { 0 };
	reg_resp resp = { 0 };
	int r = reg_get_blob(rs->client, rs->endpoint, rs->path, digest, IMG_MAX_JSON + 1, &resp, &err);
	return fetched(rs, r, &resp, &err);
}

/* One layer on its way: the registry's bytes go to the ingest file and
 * to the pipe that the unpacker reads. */
typedef struct feed {
	reg_source *rs;
	const img_desc *l;
	int out, ingest;
	uint64_t have, done;
	int64_t last_ns;
	uint64_t reported;
	cerr err;
	int rc;
} feed;


static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void progress(feed *f, bool last)
{
	if (!f->rs->progress)
		return;
	int64_t t = now_ns();
	if ((!last && t - f->last_ns < PROGRESS_EVERY_NS) || (f->last_ns && f->reported == f->done))
		return;
	f->last_ns = t;
	f->reported = f->done;
	fprintf(f->rs->progress, "layer %s %llu %llu\n", f->l->digest, (unsigned long long)f->done,
		(unsigned long long)f->l->size);
	fflush(f->rs->progress);
}

static int feed_sink(const void *data, size_t n, void *ctx)
{
	feed *f = ctx;
	int r = write_all(f->ingest, data, n);
	if (r < 0)
		return r;
	if ((r = write_all(f->out, data, n)) < 0)
		return r;
	f->done += n;
	progress(f, false);
	return 0;
}

static void *feed_main(void *p)
{
	feed *f = p;
	/* what an earlier pull left: to the unpacker first, then the rest */
	char *buf = f->have ? malloc(FEED_BUF) : NULL;
	f->rc = f->have && !buf ? cerr_set(&f->err, ENOMEM, "out of memory") : 0;
	for (uint64_t off = 0; f->rc == 0 && off < f->have;) {
		ssize_t n = pread(f->ingest, buf, FEED_BUF, (off_t)off);
		if (n <= 0) {
			f->rc = cerr_sys(&f->err, n < 0 ? errno : EIO, "layer %s: ingest", f->l->digest);
			break;
		}
		if ((f->rc = write_all(f->out, buf, (size_t)n)) < 0)
			cerr_sys(&f->err, -f->rc, "layer %s", f->l->digest);
		off += (uint64_t)n;
		f->done = off;
	}
	free(buf);
	if (f->rc == 0 && lseek(f->ingest, 0, SEEK_END) < 0)
		f->rc = cerr_sys(&f->err, errno, "layer %s: ingest", f->l->digest);
	if (f->rc == 0 && f->have < f->l->size)
		f->rc = reg_stream_blob(f->rs->client, f->rs->endpoint, f->rs->path, f->l->digest, f->have, feed_sink, f,
					&f->err);
	progress(f, true);
	close(f->out);
	f->out = -1;
	return NULL;
}

static bool transfer_was_cut(int code)
{
	return code == EIO || code == ETIMEDOUT || code == ECONNRESET || code == ECONNREFUSED || code == ECANCELED ||
	       code == EPIPE || code == EINTR;
}

int regsrc_stage_layer(imp *m, const img_desc *l, const char *diffid, cerr *err)
{
	reg_source *rs = m->o->registry;
	struct ingest *in = ingest_of(rs, l->digest);
	if (!in)
		return cerr_set(err, EINVAL, "layer %s: not locked", l->digest);
	int ingest = in->fd;
	if (imp_have_layer(m, l->digest, diffid)) {
		imp_count_layer(m, true);
		return 0;
	}
	/* the store has it from someone else: ours to use if our registry
	 * serves its blob to us, as a registry checks a cross-repository mount */
	if (imp_layer_vouched(m, l->digest, diffid)) {
		_cleanup_cerr_ cerr herr = { 0 };
		if (reg_head_blob(rs->client, rs->endpoint, rs->path, l->digest, &herr) == 0) {
			imp_count_layer(m, true);
			return imp_prove_layer(m, diffid, err);
		}
		log_debug("layer %s: %s; fetching it", l->digest, cerr_msg(&herr));
	}
	struct stat st;
	if (fstat(ingest, &st) < 0)
		return cerr_sys(err, errno, "store %s: ingest %s", m->s->root, l->digest);
	uint64_t have = (uint64_t)st.st_size;
	if (have > l->size) { /* not this blob's start: begin again */
		if (ftruncate(ingest, 0) < 0)
			return cerr_sys(err, errno, "store %s: ingest %s", m->s->root, l->digest);
		have = 0;
	}
	if (have)
		log_info("layer %s: resuming after %llu of %llu bytes", l->digest, (unsigned long long)have,
			 (unsigned long long)l->size);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "pipe");
	feed f = { .rs = rs, .l = l, .out = p[1], .ingest = ingest, .have = have };
	pthread_t th;
	int e = pthread_create(&th, NULL, feed_main, &f);
	if (e) {
		close(p[0]);
		close(p[1]);
		return cerr_sys(err, e, "thread");
	}
	char what[DIGEST_STR_LEN + 8];
	snprintf(what, sizeof(what), "blob %s", l->digest);
	int r = imp_stage_layer(m, p[0], l->digest, (int64_t)l->size, mt_layer_comp(l->media_type), diffid, what, NULL,
				NULL, NULL, err);
	close(p[0]); /* a feeder still writing gets EPIPE */
	pthread_join(th, NULL);
	/* the transfer's reason, not the unpacker's "unexpected end"; unless
	 * the transfer stopped because the unpacker had refused the layer */
	if (f.rc < 0 && (r == 0 || (f.err.code != EPIPE && f.err.code != ECANCELED))) {
		cerr_clear(err);
		*err = f.err;
		/* only a cut (a stall, a reset, the deadline, a cancel) is worth
		 * going on from; what a registry refused or sent wrong is dropped */
		if (!transfer_was_cut(f.err.code) && ftruncate(ingest, 0) < 0)
			log_warn("layer %s: ingest: %s", l->digest, strerror(errno));
		return f.rc;
	}
	cerr_clear(&f.err);
	if (r < 0) {
		/* the unpacker refused what came: never kept (a cut transfer,
		 * above, keeps its bytes for the next pull to go on from) */
		if (ftruncate(ingest, 0) < 0)
			log_warn("layer %s: ingest: %s", l->digest, strerror(errno));
		return r;
	}
	in->staged = true; /* its blob moves into the store with the layer, at commit */
	return 0;
}

/* The top manifest from one endpoint, verified: against the digest asked
 * for, else against Docker-Content-Digest when the registry sends one. */
static int fetch_top(reg_source *rs, const reg_ref *r, cerr *err)
{
	const char *ref = r->digest[0] ? r->digest : r->tag[0] ? r->tag : "latest";
	reg_resp resp = { 0 };
	int e = reg_get_manifest(rs->client, rs->endpoint, rs->path, ref, IMG_MAX_JSON, &resp, err);
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
	snprintf(rs->top_type, sizeof(rs->top_type), "%.*s", (int)strcspn(YAJL_IS_STRING(mt) ? mt->u.string : ct, "; "),
		 YAJL_IS_STRING(mt) ? mt->u.string : ct);
	if (strpbrk(rs->top_type, "\"\\"))
		rs->top_type[0] = '\0';
	if (!mt_is_index(rs->top_type) && !mt_is_manifest(rs->top_type)) {
		/* no media type at all: an index has "manifests" */
		snprintf(rs->top_type, sizeof(rs->top_type), "%s", json_get(root, "manifests") ? MT_OCI_INDEX : MT_OCI_MANIFEST);
	}
	memcpy(rs->top_digest, got, DIGEST_STR_LEN);
	rs->top = TAKE_PTR(resp.body);
	rs->top_len = resp.len;
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
static int find_manifest(reg_source *rs, const reg_conf *conf, const reg_ref *r, cerr *err)
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
			split_location(m->location, rs->endpoint, sizeof(rs->endpoint), &pre);
			snprintf(rs->path, sizeof(rs->path), "%s%s%s", pre, *pre ? "/" : "",
				 repo + strlen(m->prefix) + (repo[strlen(m->prefix)] == '/'));
		} else {
			snprintf(rs->endpoint, sizeof(rs->endpoint), "%s", reg_domain_host(r->domain));
			snprintf(rs->path, sizeof(rs->path), "%s", r->path);
		}
		if (rc < 0) {
			log_info("%s", cerr_msg(err));
			cerr_clear(err);
		}
		if ((rc = fetch_top(rs, r, err)) == 0)
			return 0;
	}
	return rc;
}

static int resolve(reg_source *rs, const pull_opts *o, const char *text, reg_ref *r, cerr *err)
{
	int e = reg_ref_parse(text, r, err);
	if (e < 0 || !reg_ref_is_short(r))
		return e < 0 ? e : find_manifest(rs, o->conf, r, err);
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
		if ((e = reg_ref_qualify(r, *s, err)) == 0 && (e = find_manifest(rs, o->conf, r, err)) == 0)
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

int image_pull(const char *store_root, const char *text, const pull_opts *o, pull_result *res, cerr *err)
{
	signal(SIGPIPE, SIG_IGN); /* a feeder whose unpacker failed gets EPIPE */
	reg_source rs = { .ingest_fd = -1, .progress = o->progress, .max_ingest = o->max_ingest };
	int r = reg_client_new(o->conf, o->auth_json, &rs.client, err);
	reg_ref ref;
	if (r == 0)
		r = resolve(&rs, o, text, &ref, err);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	/* ingest/<owner>: a member's registry that trickles a layer holds that
	 * layer's lock, so owners never wait on each other's pulls */
	char own[32];
	snprintf(own, sizeof(own), "ingest/%u", (unsigned)o->io.owner);
	if (r == 0 && (r = store_open(&s, store_root, false, err)) == 0) {
		if ((mkdirat(s.dirfd, "ingest", 0700) < 0 && errno != EEXIST) ||
		    (mkdirat(s.dirfd, own, 0700) < 0 && errno != EEXIST) ||
		    (rs.ingest_fd = openat(s.dirfd, own, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			r = cerr_sys(err, errno, "store %s: %s", s.root, own);
	}
	store_close(&s);
	char name[sizeof(res->ref)] = "", repo[2 * REF_NAME_MAX + 2];
	_cleanup_free_ char *sig = NULL;
	if (r == 0)
		reg_ref_repo(&ref, repo, sizeof(repo));
	/* signed, before a byte of its layers is fetched */
	if (r == 0 && o->trusted_keys)
		r = pull_verify_signature(rs.client, rs.endpoint, rs.path, repo, rs.top_digest, o->trusted_keys, &sig, err);
	if (r == 0) {
		reg_ref_string(&ref, res->ref, sizeof(res->ref));
		if (ref.tag[0])
			snprintf(name, sizeof(name), "%s:%s", repo, ref.tag);
		else if (!ref.digest[0])
			snprintf(name, sizeof(name), "%s:latest", repo);
		memcpy(res->repo_digest, rs.top_digest, DIGEST_STR_LEN);
		pull_opts po = *o;
		po.io.name = name[0] ? name : NULL;
		po.io.registry = &rs;
		po.io.parallel = o->parallel ? o->parallel : PULL_PARALLEL_DEFAULT;
		char rd[sizeof(repo) + DIGEST_STR_LEN + 1];
		snprintf(rd, sizeof(rd), "%s@%s", repo, rs.top_digest);
		po.io.repo_digest = rd;
		r = image_import(store_root, NULL, &po.io, &res->imp, err);
	}
	if (r == 0 && sig)
		r = keep_signature(store_root, res->imp.manifest, sig, err);
	if (rs.client)
		reg_client_counts(rs.client, &res->requests, &res->bytes);
	regsrc_unlock(&rs);
	reg_client_free(rs.client);
	free(rs.top);
	if (rs.ingest_fd >= 0)
		close(rs.ingest_fd);
	return r;
}

void regsrc_cancel(reg_source *rs)
{
	reg_client_cancel(rs->client);
}
