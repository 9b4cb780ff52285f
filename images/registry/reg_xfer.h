/* One exchange with a registry as registry_client.c makes it: what it
 * asks, what came back, and reg_xfer.c's reading of that (headers, the
 * request's body, errors in one line). Private to images/registry/. */
#pragma once
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "images/registry/registry_client.h"

#define ERROR_BODY_MAX 4096

/* One exchange with a registry, with what came back. */
typedef struct xfer {
	reg_client *c;
	/* asked */
	bool buffered;          /* body into `body`, else to the sink */
	size_t max;
	reg_sink sink;
	void *ctx;
	uint64_t skip;          /* bytes of a 200 answer to a Range request to drop */
	/* answered */
	long status;
	size_t header_bytes;
	bool header_overflow, body_overflow;
	int sink_err;
	strbuf body;
	strbuf errbody;
	char *content_type, *digest, *challenge, *location;
	bool bad_range;         /* a 206 that does not start where we asked */
	bool past_deadline;     /* ended by pull-timeout, not by a stall */
	uint64_t range_from;
	long retry_after;
	uint64_t delivered;     /* bytes given to the sink by this exchange */
	char curl_err[CURL_ERROR_SIZE];
} xfer;

/* What one exchange is about. */
typedef struct target {
	const char *endpoint;  /* HOST[:PORT], for certs.d, insecure and messages */
	const char *scope;     /* the token's; "": the registry's own (/v2/); NULL: no credentials */
	const char *url_tail;  /* after /v2/ */
	const char *url;       /* or a whole URL (a token realm) */
	const char *what;      /* "busybox manifest 1", for messages */
	const char *userpass;  /* Basic credentials for a token realm */
	bool manifest;
	bool head;             /* HEAD: is it there for these credentials? */
	const reg_request *send; /* a POST or PUT and its body; NULL: GET */
} target;

/* A request's body as curl reads it, from the start at each attempt. */
typedef struct body_reader {
	const reg_request *q;
	uint64_t off, told;
} body_reader;

void reg_xfer_reset(xfer *x);
void reg_xfer_free(xfer *x);
/* curl's callbacks: a header line into x; the body of t->send (body_reader). */
size_t reg_on_header(char *p, size_t size, size_t n, void *x);
size_t reg_on_read(char *p, size_t size, size_t n, void *body);
int reg_on_seek(void *body, curl_off_t off, int origin);
/* certs.d/HOST[:PORT]: ca.crt, client.cert and client.key */
void reg_set_certs(const reg_conf *conf, CURL *h, const char *endpoint);
/* A transfer curl ended with rc, in one line. */
int reg_transfer_error(bool cancelled, const target *t, const xfer *x, CURLcode rc, cerr *err);
/* 429 and 5xx: worth another attempt. */
bool reg_retryable(long status);
/* An answer of another status than asked, in one line (EACCES, ENOENT, ...). */
int reg_fail_status(const target *t, const xfer *x, cerr *err);
