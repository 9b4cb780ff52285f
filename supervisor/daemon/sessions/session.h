/* Sessions: groups of containers with one lifetime, namespaces they share
 * (net, ipc, uts by default, like a pod), a small key/value state and an
 * IPC broker (broker/broker.h) whose messages go only through corrald.
 *
 * On disk, <state>/sessions/<name>/ (a member's <name>@<uid>/):
 *   session.json   what SessionCreate was given (written atomically)
 *   ns/net|ipc|uts the shared namespaces, held as nsfs bind mounts (not by
 *                  a pause container): a member that exits or restarts
 *                  does not take them away, and they outlive corrald
 *   ns/pid, ns/pid.init  a shared PID namespace needs a live pid 1: the
 *                  host's catatonit -P, its pid on record, as the pause
 *                  process of podman's pods
 *   network.json   the CNI attachment of ns/net (network/net_attach.h)
 *   state.json     the key/value state (sessions/session_kv.h)
 *   kept.json      once it ended keeping its state: its session.json, saying
 *                  whose the state is (sessions/session_kept.c)
 *   broker/<id>/broker.sock  each member's broker socket; the directory is
 *                  bound read-only in the member at /run/corral (broker/broker.h)
 *
 * Contract shared by the sessions, state and broker work: do not change a
 * declaration here without telling the other two. */
#pragma once
#include "supervisor/daemon/containers/record/ctr_service.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"

struct corrald;
struct ctr;
struct broker_policy;
struct broker_session;
struct session_kv;

#define SESSION_NAME_MAX 63 /* [a-zA-Z0-9][a-zA-Z0-9_.-]* */
#define SESSION_SHOWN_MAX (SESSION_NAME_MAX + 12) /* NAME@UID, its NUL too */
#define SESSION_BROKER_DIR "/run/corral" /* inside a member: its broker directory, bound read-only */
#define BROKER_SOCK_NAME "broker.sock"
#define SESSION_BROKER_PATH SESSION_BROKER_DIR "/" BROKER_SOCK_NAME

enum session_share { SESSION_SHARE_NET = 1, SESSION_SHARE_IPC = 2, SESSION_SHARE_UTS = 4, SESSION_SHARE_PID = 8 };

typedef struct session {
	char name[SESSION_NAME_MAX + 1];
	char *dir;                  /* <state>/sessions/<name> */
	unsigned share;             /* enum session_share bits */
	char *network;              /* its CNI network (SESSION_SHARE_NET); NULL: corrald's default-network */
	char *hostname;             /* its UTS namespace's name (SESSION_SHARE_UTS); NULL: its name */
	char **labels;              /* key, value, key, value, ..., NULL */
	struct cni_port *ports;     /* published through its attachment (SessionCreate's ports) */
	size_t n_ports;
	uint64_t idle_timeout_usec; /* 0: none */
	uint64_t last_active_usec;  /* mono_usec() of the last member start or end, or broker traffic */
	bool rm_state;              /* state.json goes when it is removed or expires (the default);
				     * false: kept for its owner's next session of that name */
	struct broker_policy *policy; /* --broker-policy, parsed; NULL: everything inside the session */
	struct session_kv *state;         /* sessions/session_kv.h */
	struct broker_session *broker; /* broker/broker.h */
	struct session *next;
} session;

/* The name its members' UTS namespace has: SessionCreate's hostname, or its name. */
const char *session_hostname(const session *s);
/* Whether peer may see or change s (owner.h): root, or the uid that made it. */
struct peer_cred;
bool session_visible_to(const session *s, const struct peer_cred *peer);
/* The uid that made it. */
uid_t session_owner(const session *s);
/* owner's by its name; NULL when there is none. Each owner's session
 * names are its own (as each user's pods in podman). */
session *session_find(struct corrald *d, uid_t owner, const char *name);
/* ref as viewer names it (owned_name.h): root's bare NAME is root's own
 * session, NAME@UID a member's; a member's, its own. NULL when that owner
 * has no session of the name. */
session *session_for(struct corrald *d, uid_t viewer, const char *ref);
/* s's name as viewer is shown it: NAME, or NAME@UID to root for a member's */
const char *session_shown(const session *s, const struct peer_cred *viewer, char *buf, size_t n);
/* The session c is a member of (spec.session, as c's owner names it), or NULL. */
session *session_of(struct corrald *d, const struct ctr *c);
/* Traffic or a member's start/end: the idle clock starts again. */
void session_touch(struct corrald *d, session *s);

/* Its part in each member's life (main_corrald.c registers it). */
extern const ctr_feature sessions_container_hooks;

/* What another part does as sessions and their members come and go (the
 * broker, which serves each session's containers), told by the sessions
 * room, which includes none of it. main_corrald.c sets it once. */
typedef struct session_listener {
	/* s is there: made, or loaded at start */
	int (*opened)(struct corrald *d, session *s, cerr *err);
	/* s goes */
	void (*closed)(struct corrald *d, session *s);
	/* a member's Create (and each member's at start): *dir (n bytes) gets
	 * the directory to bind at SESSION_BROKER_DIR */
	int (*ctr_added)(struct corrald *d, session *s, struct ctr *c, char *dir, size_t n, cerr *err);
	void (*ctr_removed)(struct corrald *d, struct ctr *c);
	/* the session's broker policy file (SESSION_POLICY_FILE), parsed */
	int (*policy_load)(const char *path, struct broker_policy **out, cerr *err);
	void (*policy_free)(struct broker_policy *p);
} session_listener;
void sessions_listen(const session_listener *l);

/* What the network asks of sessions (main_corrald.c gives it to
 * network_holder_set). */
extern const struct net_holder sessions_net_holder;
