/* StreamPrepare's grants (stream_grant.c): what a token lets its bearer
 * have, once. Inside the stream room. */
#pragma once
#include "supervisor/daemon/stream/stream.h"
#include "supervisor/varlink/peer.h"

enum stream_grant_kind { GRANT_EXEC = 'e', GRANT_ATTACH = 'a', GRANT_PORTFORWARD = 'p' };

#define STREAM_MAX_PORTS 64
/* a port-forward's connections, over its whole life: each costs corrald a
 * thread's setns, so a helper cannot make it spin */
#define STREAM_MAX_PORT_ASKS 4096

typedef struct stream_grant {
	char token[STREAM_TOKEN_LEN + 1];
	enum stream_grant_kind kind;
	peer_cred owner;
	uint64_t expires_usec;
	unsigned flags;  /* STREAM_F_* */
	char *params;    /* exec, attach: the owner's call (Exec, Attach) */
	char *id;        /* the container's id, or the session's name as root names it */
	uint16_t ports[STREAM_MAX_PORTS]; /* portforward: those allowed; none: all */
	size_t n_ports;
	size_t n_asked;  /* portforward: connections asked for (STREAM_MAX_PORT_ASKS) */
} stream_grant;

/* The grant of token for kind, taken out of the table (the bearer's now,
 * held till stream_grant_free), or NULL with why: none, expired, or of
 * another kind (used up all the same, as a guess should be), or its owner,
 * a member, holds STREAM_MAX_HELD_MEMBER already */
stream_grant *stream_grant_take(enum stream_grant_kind kind, const char *token, const char **why);
void stream_grant_free(stream_grant *g);
static inline void stream_grant_freep(stream_grant **g) { stream_grant_free(*g); }
/* The URL's HOST:PORT (the listener's) */
void stream_grant_set_addr(const char *addr);
