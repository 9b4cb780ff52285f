/* The distribution protocol's HTTP side (OCI distribution spec v1.1, the
 * Docker registry API v2), through libcurl: TLS with the system's CAs and
 * certs.d, HTTP/2 where offered, proxies from the environment, anonymous,
 * Basic and Bearer-token authentication (tokens cached per scope until
 * they expire), retries with backoff on 429 and 5xx, and a resumed
 * transfer (Range) when a blob is cut off part way. Every answer is
 * bounded: headers, bodies, redirects (https stays https), tokens, and
 * time without progress. Nothing here verifies content: the caller checks
 * every digest. Safe to use from several threads at once. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "images/registry/conf.h"

#define REG_MAX_HEADERS (64u << 10)  /* all the header lines of one answer */
#define REG_MAX_TOKEN (1u << 20)     /* a token server's answer */
#define REG_MAX_REDIRECTS 5

typedef struct reg_client reg_client;

typedef struct reg_resp {
	char *body;
	size_t len;
	char *content_type;   /* NULL when absent */
	char *digest;         /* Docker-Content-Digest, NULL when absent */
} reg_resp;
void reg_resp_free(reg_resp *r);

/* Receives a blob's bytes in order; 0, or -errno to stop the transfer. */
typedef int (*reg_sink)(const void *data, size_t n, void *ctx);

/* conf stays the caller's and must outlive the client. auth_json is a
 * containers-auth.json(5) document ({"auths": {"HOST": {"auth":
 * base64(user:password)}}}), or NULL. */
int reg_client_new(const reg_conf *conf, const char *auth_json, reg_client **out, cerr *err);
void reg_client_free(reg_client *c);
/* GET /v2/PATH/manifests/REF (a tag or digest) from endpoint HOST[:PORT],
 * accepting the OCI and Docker manifest and index types; at most max bytes. */
int reg_get_manifest(reg_client *c, const char *endpoint, const char *path, const char *ref, size_t max,
		     reg_resp *out, cerr *err);
/* GET /v2/PATH/blobs/DIGEST into memory, at most max bytes. */
int reg_get_blob(reg_client *c, const char *endpoint, const char *path, const char *digest, size_t max,
		 reg_resp *out, cerr *err);
/* HEAD /v2/PATH/blobs/DIGEST with the client's credentials: 0 when the
 * registry serves it to them (a cross-repository mount's check). */
int reg_head_blob(reg_client *c, const char *endpoint, const char *path, const char *digest, cerr *err);
/* GET /v2/PATH/blobs/DIGEST from byte `from` on, into sink; a transfer cut
 * off part way goes on with a Range request. */
int reg_stream_blob(reg_client *c, const char *endpoint, const char *path, const char *digest, uint64_t from,
		    reg_sink sink, void *ctx, cerr *err);
/* GET a whole URL (a token realm) on behalf of endpoint, with Basic
 * credentials "user:password" or NULL; at most max bytes. For auth.c. */
int reg_get_url(reg_client *c, const char *endpoint, const char *url, const char *userpass, size_t max,
		reg_resp *out, cerr *err);
/* GET /v2/ with the credentials for endpoint: do they work? */
int reg_ping(reg_client *c, const char *endpoint, cerr *err);
/* From now on the client's tokens ask for push as well as pull. */
void reg_client_pushes(reg_client *c);
/* Stop every transfer of the client soon (another part failed). */
void reg_client_cancel(reg_client *c);
/* How many HTTP requests were made, and bytes of blobs received or sent. */
void reg_client_counts(reg_client *c, unsigned *requests, uint64_t *bytes);

/* A request that sends (reg_upload.c's POST and PUT), with its body from
 * body (len bytes) or, when body is NULL, the first len bytes of fd. */
typedef struct reg_request {
	const char *method;       /* "POST" or "PUT" */
	const char *endpoint;     /* HOST[:PORT] */
	const char *url_tail;     /* after /v2/ */
	const char *scope;        /* the token's, "repository:P:pull,push ..." */
	const char *what;         /* for messages */
	const char *content_type; /* or NULL */
	const char *body;
	int fd;
	uint64_t len;
	void (*sent)(uint64_t done, void *ctx); /* now and then while the body goes; or NULL */
	void *ctx;
} reg_request;

typedef struct reg_answer {
	long status;     /* 2xx; another is an error */
	char *location;  /* Location, NULL when absent */
	char *digest;    /* Docker-Content-Digest, NULL when absent */
} reg_answer;
void reg_answer_free(reg_answer *a);
int reg_send(reg_client *c, const reg_request *q, reg_answer *out, cerr *err);
