/* A container's corral-monitor from its spawn until it reports "ok PID" or
 * "err MESSAGE" to a Start. It is spawned on standby as CreateContainer
 * begins (fastpath.h), and Start says "go" to it; or Start spawns a fresh one. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_done.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/server.h"

struct ctr_spawn {
	int fd; /* our end of a socketpair: "prep" and "go" out, the report in */
	pid_t pid;
	int pidfd; /* signals reach it, never a process that took its pid */
	bool standby, prepped;
	bool by_client; /* a client's Start (which may have left since) */
	el_source *io, *timer;
	/* the Start that took it (ctr_lifecycle.c), told its report line, or
	 * why there is none */
	void (*reported)(struct ctr *c, const char *report);
	ctr_done *done; /* Start's, while its client waits */
	struct cni_run *net_run; /* the network's ADD, under way (network/net_attach.h) */
	char *net_conf, *net_err; /* its conflist; why it failed */
	size_t n;
	char buf[1024];
};

/* Spawn a monitor on standby for c (c->spawn). */
int ctr_spawn_new(struct corrald *d, ctr *c, cerr *err);
/* Say word to it, with the "prep" it needs first if it was not said yet;
 * false when it has gone. */
bool ctr_spawn_say(ctr_spawn *s, const char *word);
/* Say "go", with the sockets of c's clients attached before the start
 * (monitor_iface.h), which are the monitor's once it is said. */
bool ctr_spawn_go(ctr_spawn *s, ctr *c);
void ctr_spawn_kill(const ctr_spawn *s);
/* Forget the monitor: a standby one is ended (and waited for); one starting
 * the container goes on alone, and a later corrald adopts it. */
void ctr_spawn_abandon(ctr *c);

/* A Start is under way: its monitor has not reported yet. */
bool ctr_is_starting(const ctr *c);
/* ... and it is a restart (or a start at daemon startup), not a client's
 * Start: a Stop then waits for it and stops what it started. */
bool ctr_is_restarting(const ctr *c);
/* Delete the runtime state a dead monitor left (corral-monitor --cleanup),
 * or the next start finds it "already exists". */
void ctr_drop_stale_state(struct corrald *d, ctr *c);
