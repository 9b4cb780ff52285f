/* Parent/child synchronisation over a SOCK_SEQPACKET socketpair: one
 * message per packet, optionally carrying one fd. */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum sync_type {
	SYNC_MAPS_DONE = 1, /* parent → child: uid/gid maps are written */
	SYNC_PTY,           /* child → parent: the pty master (fd attached) */
	SYNC_READY,         /* child → parent: set up, about to wait for start */
	SYNC_GO,            /* parent → child: state is saved */
	SYNC_ERROR,         /* child → parent: setup failed; text follows */
	SYNC_HOOKS,         /* child → parent: run createRuntime/prestart now */
	SYNC_HOOKS_DONE,    /* parent → child: the states for the init's hooks (memfd) */
	SYNC_MOUNT_FD,      /* parent → child: an idmapped mount (fd), code = mount index */
	SYNC_SECCOMP_FD,    /* child → parent: the seccomp notify fd, for listenerPath */
	SYNC_PID,           /* exec helper → caller: the process's pid (code) and pidfd */
	SYNC_CGROUP_DONE,   /* parent → child: systemd has moved it into its scope */
};

#define SYNC_TEXT_MAX 1024

struct sync_msg {
	uint32_t type;
	int32_t code;
	char text[SYNC_TEXT_MAX];
};

int sync_send(int sock, enum sync_type type, int code, const char *text, int fd);
/* Receive one message; *fd gets an attached fd or -1. -EPIPE on EOF. */
int sync_recv(int sock, struct sync_msg *m, int *fd);
