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


typedef struct session_x {
	session s;
	struct corrald *d;
	uid_t owner;          /* who made it: members of the group see only their own */
	char created[64];     /* RFC 3339 */
	char *policy_path;    /* --broker-policy as given (read again at start) */
	el_source *idle_timer;
	char ip[48], gateway[48]; /* its address on its network, once attached */
	bool stopped;         /* SessionStop: its network released, no new member (a CRI pod's NOTREADY) */
} session_x;

static inline session_x *sx_of(session *s) { return (session_x *)((char *)s - offsetof(session_x, s)); }

/* session_record.c */
bool session_name_valid(const char *name);
/* "net,ipc,uts,pid" (any order, no repeats) into SESSION_SHARE_* bits. */
int session_share_parse(const char *text, unsigned *out);
void session_gen_share(yajl_gen g, unsigned share);
/* A new session_x, its dir made, nothing else. */
session_x *session_x_new(struct corrald *d, const char *name);
void session_x_free(session_x *x);
int session_save(const session *s, cerr *err);
/* Copy the --broker-policy file into the session's directory: corrald
 * reads the copy, also after a restart. */
int session_policy_copy(const session_x *x, cerr *err);
/* Opens its state and policy; links it into d->sessions. */
int session_open(struct corrald *d, session_x *x, cerr *err);
/* Unlinks it from d->sessions. */
void session_unlink(struct corrald *d, session *s);
/* Whether any of its members runs; the first member found, or NULL. */
/* Running, restarting or starting: a session with one is not idle, and
 * ends only by force, after its start is over. */
bool session_member_busy(const struct ctr *c);
struct ctr *session_first_member(struct corrald *d, const session *s, bool running_only);
int session_gen(yajl_gen g, struct corrald *d, const session *s, const peer_cred *peer);

/* session_methods.c: the session params' "name" names, if peer may see
 * it; else NULL, with *f saying what was wrong, or *name none. */
session *session_of_params(struct corrald *d, const peer_cred *peer, yajl_val params, const char *const *known,
			   const char **name, json_fault *f);
/* The answer when session_of_params found none. */
int session_reply_not_found(vl_call *call, const char *name, const json_fault *f);

/* session_ns.c: the shared namespaces under <dir>/ns */
int session_ns_make(struct corrald *d, session *s, cerr *err);
bool session_ns_present(const session *s);
void session_ns_release(const session *s);
void session_ns_path(const session *s, const char *kind, char *buf, size_t n);
/* Its shared PID namespace's init (catatonit -P) as a pidfd, if it still
 * runs in that namespace; else -1. */
int session_pid_init(const session *s);

/* session_net.c: its CNI attachment (SESSION_SHARE_NET) */
/* DEL its attachment, in the background, keeping its namespaces */
void session_net_detach(struct corrald *d, session *s);
/* Whether it has one: it shares net, and its network (or corrald's
 * default-network) is a CNI network, not none, loopback or host (then its
 * members have lo alone). */
bool session_net_cni(const struct corrald *d, const session *s);
typedef void (*session_net_done_fn)(struct corrald *d, session *s, int r, const cerr *err, void *data);
/* ADD ns/net to its network, in the background; done runs once it is over. */
int session_net_attach(struct corrald *d, session *s, session_net_done_fn done, void *data, cerr *err);
/* From network.json after a restart: its address, for the members' names. */
void session_net_load(session *s);
/* Namespaces made again (a reboot): DEL the attachment on record, then ADD. */
int session_net_reattach(struct corrald *d, session *s, cerr *err);
/* DEL, in the background; network.json goes once it is over, and then the
 * namespaces (the DEL needs ns/net) and, with drop_dir, the directory. */
void session_net_detach_and_release(struct corrald *d, session *s, bool drop_dir);

/* session_kept.c: a state kept past its session (rmState false) is its
 * owner's. leave: the session in dir ended keeping its state (its
 * session.json becomes kept.json). claim: before x opens its state, a
 * kept state of another owner (or of none on record) is removed. */
void session_kept_leave(const char *dir);
int session_kept_claim(const session_x *x, cerr *err);

/* session_idle.c */
void session_idle_arm(struct corrald *d, session *s);
/* Stop and remove its members, release what it holds, forget it. expired:
 * the idle timer's doing (an event says so). */
void session_end(struct corrald *d, session *s, bool expired);

/* The listener (session_listen.c) told of what happens here. */
int session_tell_opened(struct corrald *d, session *s, cerr *err);
void session_tell_closed(struct corrald *d, session *s);
int session_tell_member_added(struct corrald *d, session *s, struct ctr *c, char *dir, size_t n, cerr *err);
void session_tell_member_removed(struct corrald *d, struct ctr *c);
int session_policy_load(const char *path, struct broker_policy **out, cerr *err);
void session_policy_free(struct broker_policy *p);
