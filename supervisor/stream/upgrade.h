/* The request kubelet sends to the streaming server's URL: HTTP/1.1, GET or
 * POST of /exec/TOKEN, /attach/TOKEN or /portforward/TOKEN, asking to
 * upgrade to SPDY/3.1 or a WebSocket, with the subprotocols it speaks in
 * X-Stream-Protocol-Version (SPDY) or Sec-WebSocket-Protocol. Parsed here,
 * bounded, and answered: 101 with the subprotocol chosen, or an error
 * status with a one-line reason. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/strbuf.h"

#define UPGRADE_MAX_HEAD 16384 /* the request's line and headers */
#define UPGRADE_MAX_OFFERS 16
#define UPGRADE_TOKEN_MAX 64

enum serve_kind { SERVE_EXEC, SERVE_ATTACH, SERVE_PORTFORWARD };
enum upgrade_to { UPGRADE_SPDY, UPGRADE_WEBSOCKET };

typedef struct upgrade_req {
	enum serve_kind kind;
	enum upgrade_to to;
	char token[UPGRADE_TOKEN_MAX + 1];
	/* the subprotocols offered, in the client's order */
	char offers[UPGRADE_MAX_OFFERS][48];
	size_t n_offers;
	char ws_key[64]; /* Sec-WebSocket-Key */
	size_t head_len; /* bytes of the request's head: what follows is the protocol's */
} upgrade_req;

/* The head in buf (n bytes): 1 parsed into r, 0 when it has not ended yet
 * (and n is under the bound), or -1 with the status and reason to answer
 * (400 bad request, 404 no such path, 405 a method other than GET or POST,
 * 431 past the bound, 426 no upgrade asked) */
int upgrade_parse(const char *buf, size_t n, upgrade_req *r, int *status, char *why, size_t why_len);
/* The subprotocol to speak: the first offered that kind speaks ("" where
 * none is offered: the first of the protocol's versions), or NULL when
 * none is (then the answer is 403, with upgrade_no_protocol's reason) */
const char *upgrade_choose(const upgrade_req *r);
void upgrade_no_protocol(const upgrade_req *r, char *why, size_t why_len);
/* The answers, appended to out: 101 Switching Protocols, or status with
 * reason as its text body (the connection closes after) */
int upgrade_accept(strbuf *out, const upgrade_req *r, const char *protocol);
int upgrade_refuse(strbuf *out, int status, const char *why);
