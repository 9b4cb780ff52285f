/* Inside the varlink server: its connections, their calls, and the hand-offs
 * between them. Not part of server.h's API. */
#pragma once
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/wire.h"
#include "common/strbuf.h"

#define VL_OUT_HIGH (1u << 20) /* a connection takes no new call above this */
#define VL_MAX_FDS 4 /* fds received and not yet taken, per connection */

typedef struct vl_conn vl_conn;

/* One call, from its message to its one reply or error. */
struct vl_call {
	vl_conn *conn;
	vl_message msg;
	uint64_t t0;
	void (*cancel)(vl_call *c, void *data); /* set by a method that keeps the call */
	void *cancel_data;
	struct vl_local *local; /* a call made inside corrald (local_call.c); conn is then NULL */
	const char *text;       /* its message as received, while its method runs; else NULL */
	size_t text_len;
};

struct vl_conn {
	vl_server *srv;
	int fd;
	el_source *src;
	peer_cred peer;
	void *tag; /* its listener's (vl_server_listen_tagged) */
	bool allowed;
	vl_framer in;
	strbuf out;
	size_t out_off;
	vl_call *call;   /* the call being served; replies go out in order */
	vl_call *spare;  /* the last one's memory, for the next: no allocation a call */
	el_post flush;   /* what streams queued goes out at the end of the turn */
	bool eof;        /* peer shut down its side */
	bool closing;    /* close once out is flushed */
	bool broken;     /* close now */
	bool kicked;
	bool in_process; /* calls ending now need no kick: the loop goes on */
	bool one_call;   /* adopted for one call (vl_server_adopt_call): closes after it */
	int fds[VL_MAX_FDS]; /* received with SCM_RIGHTS (accept_fds), oldest first */
	size_t n_fds;
	vl_conn *prev, *next, *next_kick;
};

struct vl_listener {
	vl_server *srv;
	int fd;
	el_source *src;
	char *path; /* unlinked at the end when we bound it */
	void *tag;  /* names the connections it accepts */
	struct vl_listener *next;
};

struct vl_server {
	el_loop *loop;
	vl_server_config cfg;
	const vl_interface *ifaces[8];
	size_t n_ifaces;
	struct vl_raw {
		char method[96];
		vl_raw_fn fn;
	} raw[4]; /* vl_server_add_raw */
	size_t n_raw;
	struct vl_listener *lis; /* as many as the server is given */
	vl_conn *conns;
	size_t n_conns;
	vl_conn *kick;
	el_source *kick_timer;
	el_source *resume_timer; /* re-enables accept after EMFILE */
	struct vl_local *local_ended; /* local calls whose end waits for the loop */
	el_source *local_timer;       /* delivers them */
};

/* local_end.c: a local call (vl_local_call) while its method has it, and
 * its end until delivered. */
struct vl_local {
	vl_server *srv;
	peer_cred peer;
	vl_local_fn done;
	void *data;
	vl_call *call;      /* while its method has it */
	char *error, *params; /* its end, until delivered */
	struct vl_local *next; /* in srv->local_ended */
};

/* service_iface.c: org.varlink.service, which every server implements. */
extern const vl_interface vl_service_iface;
