/* What the sessions room keeps of a session beside the contract's struct
 * (session.h): corrald makes every session, so each one is a session_x and
 * sx_of() finds it from the session. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

#define SESSION_FILE "session.json"
#define SESSION_STATE_FILE "state.json"
#define SESSION_NET_FILE "network.json"
#define SESSION_KEPT_FILE "kept.json" /* an ended session's session.json: whose its kept state is */
#define SESSION_POLICY_FILE "broker-policy.json" /* corrald's copy of --broker-policy */
#define SESSION_POLICY_MAX (1024 * 1024)
#define SESSIONS_MAX 1024 /* a bound on what corrald loads at start */
/* corral-session-NAME, a member's corral-session_UID_NAME (no root's name
 * starts so); session.json keeps it, as a member's of before was
 * corral-session-NAME (and root's new one of that name is then
 * corral-session_0_NAME) */
#define SESSION_CNI_PREFIX "corral-session-"
#define SESSION_CNI_ID_MAX (sizeof(SESSION_CNI_PREFIX) + 12 + SESSION_NAME_MAX)

typedef struct session_x {
	session s;
	struct corrald *d;
	uid_t owner;          /* who made it: members of the group see only their own */
	char cni_id[SESSION_CNI_ID_MAX]; /* its attachment's, at its ADD and its DEL */
	char created[64];     /* RFC 3339 */
	char *policy_path;    /* --broker-policy as given (read again at start) */
	el_source *idle_timer;
	char ip[48], gateway[48]; /* its address on its network, once attached */
	bool stopped;         /* SessionStop: its network released, no new member (a CRI pod's NOTREADY) */
} session_x;

static inline session_x *sx_of(session *s) { return (session_x *)((char *)s - offsetof(session_x, s)); }

/* Whether any of its members runs; the first member found, or NULL. */

/* session_net.c: its CNI attachment (SESSION_SHARE_NET) */
typedef void (*session_net_done_fn)(struct corrald *d, session *s, int r, const cerr *err, void *data);

