#include "images/registry/reg_xfer.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


void reg_xfer_reset(xfer *x)
{
	x->status = 0;
	x->header_bytes = 0;
	x->header_overflow = x->body_overflow = false;
	x->sink_err = 0;
	sb_reset(&x->body);
	sb_reset(&x->errbody);
	free(x->content_type);
	free(x->digest);
	free(x->challenge);
	free(x->location);
	x->content_type = x->digest = x->challenge = x->location = NULL;
	x->bad_range = x->past_deadline = false;
	x->retry_after = -1;
	x->delivered = 0;
}

void reg_xfer_free(xfer *x)
{
	reg_xfer_reset(x);
	sb_release(&x->body);
	sb_release(&x->errbody);
}

/* "Name: value\r\n" -> the value, trimmed, when the name matches. */
static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) || line[k] != ':')
		return NULL;
	const char *v = line + k + 1, *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	return strndup(v, (size_t)(e - v));
}

size_t reg_on_header(char *p, size_t size, size_t n, void *data)
{
	xfer *x = data;
	if (!strncmp(p, "HTTP/", 5)) { /* a new answer (after a redirect or 100) */
		const char *sp = memchr(p, ' ', n);
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		/* a Range request answered with the whole blob: drop what we have */
		x->skip = x->status == 200 ? x->range_from : 0;
		free(x->content_type);
		free(x->digest);
		free(x->challenge);
		free(x->location);
		x->content_type = x->digest = x->challenge = x->location = NULL;
	}
	x->header_bytes += n;
	if (x->header_bytes > REG_MAX_HEADERS) {
		x->header_overflow = true;
		return 0;
	}
	char *v;
	if ((v = header_value(p, n, "Content-Type")))
		free(x->content_type), x->content_type = v;
	else if ((v = header_value(p, n, "Docker-Content-Digest")))
		free(x->digest), x->digest = v;
	else if ((v = header_value(p, n, "WWW-Authenticate")))
		free(x->challenge), x->challenge = v;
	else if ((v = header_value(p, n, "Location")))
		free(x->location), x->location = v;
	else if ((v = header_value(p, n, "Content-Range"))) {
		unsigned long long start = 0;
		bool ok = sscanf(v, "bytes %llu-", &start) == 1 && start == x->range_from;
		free(v);
		if (x->status == 206 && !ok) {
			x->bad_range = true;
			return 0;
		}
	}
	else if ((v = header_value(p, n, "Retry-After"))) {
		x->retry_after = isdigit((unsigned char)v[0]) ? strtol(v, NULL, 10) : -1;
		free(v);
	}
	return n;
}


/* The registry's own words from an error body ({"errors": [{"code",
 * "message"}]}), printable and short; "" when there are none. */
static void registry_words(const strbuf *b, char *out, size_t n)
{
	out[0] = '\0';
	if (!b->len || !b->buf)
		return;
	const char *code = strstr(b->buf, "\"code\"");
	const char *msg = strstr(b->buf, "\"message\"");
	char c[64] = "", m[160] = "";
	if (code)
		sscanf(code, "\"code\"%*[ :]\"%63[^\"]\"", c);
	if (msg)
		sscanf(msg, "\"message\"%*[ :]\"%159[^\"]\"", m);
	snprintf(out, n, "%s", m[0] ? m : c);
	for (char *p = out; *p; p++)
		if (!isprint((unsigned char)*p))
			*p = '?';
}



size_t reg_on_read(char *p, size_t size, size_t n, void *data)
{
	body_reader *b = data;
	const reg_request *q = b->q;
	size_t want = size * n;
	if (want > q->len - b->off)
		want = (size_t)(q->len - b->off);
	if (!want)
		return 0;
	if (q->body) {
		memcpy(p, q->body + b->off, want);
	} else {
		ssize_t got = pread(q->fd, p, want, (off_t)b->off);
		if (got <= 0)
			return CURL_READFUNC_ABORT; /* the store's file is shorter than its manifest says */
		want = (size_t)got;
	}
	b->off += want;
	if (q->sent && (b->off - b->told >= (4u << 20) || b->off == q->len)) {
		b->told = b->off;
		q->sent(b->off, q->ctx);
	}
	return want;
}

int reg_on_seek(void *data, curl_off_t off, int origin)
{
	body_reader *b = data;
	if (origin != SEEK_SET || off < 0 || (uint64_t)off > b->q->len)
		return CURL_SEEKFUNC_FAIL;
	b->off = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

/* certs.d/HOST[:PORT]: ca.crt, client.cert and client.key */
void reg_set_certs(const reg_conf *conf, CURL *h, const char *endpoint)
{
	const char *dir = conf->certs_dir ? conf->certs_dir : REG_CERTS_DIR_DEFAULT;
	char p[PATH_MAX], k[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s/ca.crt", dir, endpoint);
	if (stat(p, &st) == 0) {
		curl_easy_setopt(h, CURLOPT_CAINFO, p);
		curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	snprintf(p, sizeof(p), "%s/%s/client.cert", dir, endpoint);
	snprintf(k, sizeof(k), "%s/%s/client.key", dir, endpoint);
	if (stat(p, &st) == 0 && stat(k, &st) == 0) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, p);
		curl_easy_setopt(h, CURLOPT_SSLKEY, k);
	}
}

int reg_transfer_error(bool cancelled, const target *t, const xfer *x, CURLcode rc, cerr *err)
{
	if (x->header_overflow)
		return cerr_set(err, EBADMSG, "%s: %s: headers larger than %u bytes", t->endpoint, t->what, REG_MAX_HEADERS);
	if (x->body_overflow)
		return cerr_set(err, EFBIG, "%s: %s: larger than the %zu bytes allowed", t->endpoint, t->what, x->max);
	if (x->bad_range)
		return cerr_set(err, EPROTO, "%s: %s: a partial answer that does not start where it was asked to",
				t->endpoint, t->what);
	if (x->sink_err)
		return cerr_sys(err, x->sink_err, "%s: %s", t->endpoint, t->what);
	if (cancelled)
		return cerr_set(err, ECANCELED, "%s: %s: cancelled", t->endpoint, t->what);
	int code = rc == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT
		   : rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ? ECONNREFUSED
		   : rc == CURLE_TOO_MANY_REDIRECTS || rc == CURLE_UNSUPPORTED_PROTOCOL ? ELOOP
		   : rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ? EPROTO
		   : EIO;
	const char *why = rc == CURLE_UNSUPPORTED_PROTOCOL ? "redirected away from https"
			  : rc == CURLE_OPERATION_TIMEDOUT ? "no progress, gave up"
			  : rc == CURLE_PARTIAL_FILE ? "cut off before the end"
			  : x->curl_err[0] ? x->curl_err : curl_easy_strerror(rc);
	/* curl's own bound on one header (100 kB) ends the transfer as if memory ran out */
	if (rc == CURLE_OUT_OF_MEMORY)
		return cerr_set(err, EBADMSG, "%s: %s: an answer with a header larger than curl takes", t->endpoint,
				t->what);
	return cerr_set(err, code, "%s: %s: %s", t->endpoint, t->what, why);
}


bool reg_retryable(long status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}


int reg_fail_status(const target *t, const xfer *x, cerr *err)
{
	char words[240];
	registry_words(&x->errbody, words, sizeof(words));
	const char *sep = words[0] ? ": " : "";
	switch (x->status) {
	case 401:
		return cerr_set(err, EACCES, "%s: %s: authentication failed (401)%s%s", t->endpoint, t->what, sep, words);
	case 403:
		return cerr_set(err, EACCES, "%s: %s: access denied (403)%s%s", t->endpoint, t->what, sep, words);
	case 404:
		return cerr_set(err, ENOENT, "%s: %s: not found (404)%s%s", t->endpoint, t->what, sep, words);
	default:
		return cerr_set(err, reg_retryable(x->status) ? EAGAIN : EPROTO, "%s: %s: HTTP %ld%s%s", t->endpoint, t->what,
				x->status, sep, words);
	}
}

