#include "images/registry/registry_client.h"
#include "images/registry/auth.h" /* a pair with auth.c: it fetches tokens here */
#include "images/registry/reg_xfer.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/monotonic.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 4         /* for 429, 5xx and connections refused */
#define MAX_RESUMES 8          /* Range requests after a cut, while each makes progress */
#define MAX_RETRY_AFTER 10     /* seconds of a Retry-After we wait at most */

static const char ACCEPT_MANIFESTS[] =
	"Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.docker.distribution.manifest.v2+json, "
	"application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1";

struct reg_client {
	const reg_conf *conf;
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
	reg_auth *auth;
	atomic_bool cancelled;
	bool push;           /* tokens ask for pull,push */
	atomic_uint requests;
	atomic_uint_least64_t bytes;
	int64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none (conf->whole_secs) */
};

void reg_resp_free(reg_resp *r)
{
	free(r->body);
	free(r->content_type);
	free(r->digest);
	*r = (reg_resp){ 0 };
}

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *u)
{
	pthread_mutex_lock(&((reg_client *)u)->share_mu[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *u)
{
	pthread_mutex_unlock(&((reg_client *)u)->share_mu[d]);
}

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int reg_client_new(const reg_conf *conf, const char *auth_json, reg_client **out, cerr *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, curl_init);
	reg_client *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	c->conf = conf;
	if (conf->whole_secs)
		c->deadline_ms = mono_ms() + conf->whole_secs * 1000ll;
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_mu[i], NULL);
	c->share = curl_share_init();
	if (!c->share) {
		reg_client_free(c);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	int r = reg_auth_new(auth_json, &c->auth, err);
	if (r < 0) {
		reg_client_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void reg_client_free(reg_client *c)
{
	if (!c)
		return;
	if (c->share)
		curl_share_cleanup(c->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_mu[i]);
	reg_auth_free(c->auth);
	free(c);
}

void reg_client_pushes(reg_client *c)
{
	c->push = true;
}

void reg_answer_free(reg_answer *a)
{
	free(a->location);
	free(a->digest);
	*a = (reg_answer){ 0 };
}

void reg_client_cancel(reg_client *c)
{
	atomic_store(&c->cancelled, true);
}

void reg_client_counts(reg_client *c, unsigned *requests, uint64_t *bytes)
{
	*requests = atomic_load(&c->requests);
	*bytes = atomic_load(&c->bytes);
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	xfer *x = data;
	if (atomic_load(&x->c->cancelled))
		return 0;
	if (x->status < 200 || x->status >= 300) {
		/* an error answer: keep the start of it for the message */
		if (x->errbody.len < ERROR_BODY_MAX)
			sb_add(&x->errbody, p, n < ERROR_BODY_MAX - x->errbody.len ? n : ERROR_BODY_MAX - x->errbody.len);
		return n;
	}
	if (x->buffered) {
		if (x->body.len + n > x->max) {
			x->body_overflow = true;
			return 0;
		}
		return sb_add(&x->body, p, n) < 0 ? 0 : n;
	}
	size_t off = 0;
	if (x->skip) {
		off = n < x->skip ? n : (size_t)x->skip;
		x->skip -= off;
	}
	if (off < n) {
		int r = x->sink(p + off, n - off, x->ctx);
		if (r < 0) {
			x->sink_err = -r;
			return 0;
		}
		x->delivered += n - off;
		atomic_fetch_add(&x->c->bytes, n - off);
	}
	return n;
}

/* Ends a transfer cancelled or past the pull's deadline. The deadline is
 * checked here rather than with CURLOPT_TIMEOUT, whose expiry curl reports
 * as it reports a stall: which of the two ended it must be known exactly. */
static int on_progress(void *data, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	xfer *x = data;
	if (atomic_load(&x->c->cancelled))
		return 1;
	if (x->c->deadline_ms && mono_ms() >= x->c->deadline_ms) {
		x->past_deadline = true;
		return 1;
	}
	return 0;
}

/* One request: its HTTP status, or -errno with err set for a transfer
 * that failed (curl's reason in the message). */
static long perform(reg_client *c, const target *t, bool plain_http, bool insecure, const char *authz,
		    const char *userpass, xfer *x, cerr *err)
{
	if (c->deadline_ms && mono_ms() >= c->deadline_ms)
		return cerr_set(err, ETIMEDOUT, "%s: %s: the pull took longer than its %u s (pull-timeout)", t->endpoint,
				t->what, c->conf->whole_secs);
	_cleanup_free_ char *url = NULL;
	if (t->url)
		url = strdup(t->url);
	else if (asprintf(&url, "%s://%s/v2/%s", plain_http ? "http" : "https", t->endpoint, t->url_tail) < 0)
		url = NULL;
	CURL *h = url ? curl_easy_init() : NULL;
	if (!h)
		return cerr_set(err, ENOMEM, "out of memory");
	struct curl_slist *hdrs = NULL;
	char range[64], ua[64], ctype[200];
	body_reader body = { .q = t->send };
	if (t->manifest)
		hdrs = curl_slist_append(hdrs, ACCEPT_MANIFESTS);
	if (t->send && t->send->content_type) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", t->send->content_type);
		hdrs = curl_slist_append(hdrs, ctype);
	}
	if (t->send) /* no wait for a 100 Continue */
		hdrs = curl_slist_append(hdrs, "Expect:");
	if (authz)
		hdrs = curl_slist_append(hdrs, authz);
	if (x->range_from) {
		snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)x->range_from);
		hdrs = curl_slist_append(hdrs, range);
	}
	snprintf(ua, sizeof(ua), "corral/%s", CORRAL_VERSION);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L << 10); /* fewer, larger reads of a layer */
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)REG_MAX_REDIRECTS);
	/* a redirect never leaves TLS, unless the registry itself is plain */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, plain_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)(c->conf->stall_secs ? c->conf->stall_secs : REG_STALL_DEFAULT));
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, reg_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	x->curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->curl_err);
	if (userpass || t->userpass) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpass ? userpass : t->userpass);
	}
	if (insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		reg_set_certs(c->conf, h, t->endpoint);
	}
	atomic_fetch_add(&c->requests, 1);
	if (t->head)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (t->send) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, t->send->method);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->send->len);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, reg_on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &body);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, reg_on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, &body);
		/* a redirect is not followed with the body */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	}
	log_debug("%s %s%s", t->send ? t->send->method : t->head ? "HEAD" : "GET", url, x->range_from ? " (resumed)" : "");
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (t->send && !t->send->body)
		atomic_fetch_add(&c->bytes, body.off);
	if (x->past_deadline)
		return cerr_set(err, ETIMEDOUT, "%s: %s: the pull took longer than its %u s (pull-timeout)", t->endpoint,
				t->what, c->conf->whole_secs);
	if (rc != CURLE_OK)
		return reg_transfer_error(atomic_load(&c->cancelled), t, x, rc, err);
	x->status = status;
	return status;
}

static void backoff(const xfer *x, int attempt)
{
	long s = x->retry_after >= 0 ? x->retry_after : 1l << (attempt - 1);
	if (s > MAX_RETRY_AFTER)
		s = MAX_RETRY_AFTER;
	struct timespec ts = { s, 0 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The whole exchange: credentials, retries with backoff, http for an
 * insecure registry without TLS, and Range requests after a cut. */
static int exchange(reg_client *c, const target *t, uint64_t from, xfer *x, cerr *err)
{
	bool insecure = reg_conf_insecure(c->conf, t->endpoint), plain = false, challenged = false;
	int attempt = 0, resumes = 0;
	uint64_t done = from;
	for (;;) {
		_cleanup_free_ char *authz = NULL, *userpass = NULL;
		int r = t->scope ? reg_auth_header(c->auth, c, t->endpoint, t->scope, plain || insecure, &authz, &userpass, err)
				 : 0;
		if (r < 0)
			return r;
		reg_xfer_reset(x);
		x->range_from = x->buffered ? 0 : done;
		long st = perform(c, t, plain, insecure, authz, userpass, x, err);
		if (userpass)
			explicit_bzero(userpass, strlen(userpass));
		done += x->delivered;
		if (st < 0) {
			if (insecure && !plain && !t->url && err->code == EPROTO) { /* no TLS there */
				cerr_clear(err);
				plain = true;
				continue;
			}
			if (!x->buffered && x->delivered && (err->code == EIO || err->code == ETIMEDOUT) &&
			    resumes++ < MAX_RESUMES) {
				log_info("%s: %s: cut off after %llu bytes; resuming", t->endpoint, t->what,
					 (unsigned long long)done);
				cerr_clear(err);
				continue;
			}
			if (err->code == ECONNREFUSED && ++attempt < MAX_ATTEMPTS) {
				cerr_clear(err);
				backoff(x, attempt);
				continue;
			}
			return (int)st;
		}
		if (st == 401 && t->scope && !challenged && x->challenge) {
			challenged = true;
			if ((r = reg_auth_challenge(c->auth, c, t->endpoint, t->scope, x->challenge, plain || insecure,
						    err)) < 0)
				return r;
			continue;
		}
		if (reg_retryable(st) && ++attempt < MAX_ATTEMPTS) {
			log_info("%s: %s: HTTP %ld; retrying", t->endpoint, t->what, st);
			backoff(x, attempt);
			continue;
		}
		bool sent = t->send && (st == 201 || st == 202 || st == 204);
		return st == 200 || st == 206 || sent ? 0 : reg_fail_status(t, x, err);
	}
}

static int fetch(reg_client *c, const target *t, size_t max, reg_resp *out, cerr *err)
{
	xfer x = { .c = c, .buffered = true, .max = max, .retry_after = -1 };
	int r = exchange(c, t, 0, &x, err);
	if (r == 0) {
		out->len = x.body.len;
		out->body = sb_detach(&x.body);
		out->content_type = TAKE_PTR(x.content_type);
		out->digest = TAKE_PTR(x.digest);
	}
	reg_xfer_free(&x);
	return r;
}

/* The token scope of a request about repository path. */
static void scope_of(const reg_client *c, const char *path, char *out, size_t n)
{
	snprintf(out, n, "repository:%s:%s", path, c->push ? "pull,push" : "pull");
}

int reg_get_url(reg_client *c, const char *endpoint, const char *url, const char *userpass, size_t max,
		reg_resp *out, cerr *err)
{
	target t = { .endpoint = endpoint, .url = url, .what = "token", .userpass = userpass };
	return fetch(c, &t, max, out, err);
}

int reg_ping(reg_client *c, const char *endpoint, cerr *err)
{
	reg_resp resp = { 0 };
	target t = { .endpoint = endpoint, .scope = "", .url_tail = "", .what = "login" };
	int r = fetch(c, &t, 1u << 20, &resp, err);
	reg_resp_free(&resp);
	return r;
}

int reg_get_manifest(reg_client *c, const char *endpoint, const char *path, const char *ref, size_t max,
		     reg_resp *out, cerr *err)
{
	char tail[600], what[600], scope[600];
	scope_of(c, path, scope, sizeof(scope));
	snprintf(tail, sizeof(tail), "%s/manifests/%s", path, ref);
	snprintf(what, sizeof(what), "manifest %s", ref);
	target t = { .endpoint = endpoint, .scope = scope, .url_tail = tail, .what = what, .manifest = true };
	return fetch(c, &t, max, out, err);
}

int reg_get_blob(reg_client *c, const char *endpoint, const char *path, const char *digest, size_t max,
		 reg_resp *out, cerr *err)
{
	char tail[600], what[600], scope[600];
	scope_of(c, path, scope, sizeof(scope));
	snprintf(tail, sizeof(tail), "%s/blobs/%s", path, digest);
	snprintf(what, sizeof(what), "blob %s", digest);
	target t = { .endpoint = endpoint, .scope = scope, .url_tail = tail, .what = what };
	return fetch(c, &t, max, out, err);
}

int reg_head_blob(reg_client *c, const char *endpoint, const char *path, const char *digest, cerr *err)
{
	char tail[600], what[600], scope[600];
	scope_of(c, path, scope, sizeof(scope));
	snprintf(tail, sizeof(tail), "%s/blobs/%s", path, digest);
	snprintf(what, sizeof(what), "blob %s", digest);
	target t = { .endpoint = endpoint, .scope = scope, .url_tail = tail, .what = what, .head = true };
	reg_resp resp = { 0 };
	int r = fetch(c, &t, 0, &resp, err);
	reg_resp_free(&resp);
	return r;
}

int reg_stream_blob(reg_client *c, const char *endpoint, const char *path, const char *digest, uint64_t from,
		    reg_sink sink, void *ctx, cerr *err)
{
	char tail[600], what[600], scope[600];
	scope_of(c, path, scope, sizeof(scope));
	snprintf(tail, sizeof(tail), "%s/blobs/%s", path, digest);
	snprintf(what, sizeof(what), "blob %s", digest);
	target t = { .endpoint = endpoint, .scope = scope, .url_tail = tail, .what = what };
	xfer x = { .c = c, .sink = sink, .ctx = ctx, .retry_after = -1 };
	int r = exchange(c, &t, from, &x, err);
	reg_xfer_free(&x);
	return r;
}

int reg_send(reg_client *c, const reg_request *q, reg_answer *out, cerr *err)
{
	target t = { .endpoint = q->endpoint, .scope = q->scope, .url_tail = q->url_tail, .what = q->what, .send = q };
	xfer x = { .c = c, .buffered = true, .max = 1u << 20, .retry_after = -1 };
	int r = exchange(c, &t, 0, &x, err);
	if (r == 0) {
		out->status = x.status;
		out->location = TAKE_PTR(x.location);
		out->digest = TAKE_PTR(x.digest);
	}
	reg_xfer_free(&x);
	return r;
}
