/* Bind sources, resolved once and pinned: each source is opened (O_PATH,
 * symlinks followed) when the container is created, the path that fd
 * really is (/proc/self/fd) is what the policy checks, and a clone of that
 * very mount tree (open_tree on the fd) is moved to <dir>/binds/<i>, which
 * config.json names as the source. A symlink swapped in afterwards changes
 * nothing: the runtime binds corrald's own mount, below a 0700 directory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "images/digest.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"

#define CTR_PINS_DIR "binds" /* in the container's directory */

typedef struct ctr_pins {
	int *fds; /* one per spec mount, O_PATH */
	bool *dirs; /* a member's: whether each is a directory, as the member saw (NULL: root's) */
	size_t n;
	/* a member's sources, as ctr_pins_open_as_member left them: 0 when
	 * all are open, EINPROGRESS until they are, else the errno, with
	 * member_failed the first source not opened */
	int member_code;
	size_t member_failed;
	/* the manifest of the store image the policy checked (else ""): the
	 * container is made from it, whatever the name points at by then */
	char image[DIGEST_STR_LEN];
} ctr_pins;

void ctr_pins_release(ctr_pins *p);
/* A member's sources, spec->mounts[i].source for each i, opened as the
 * member (peer_pin.h) without waiting: done(data) runs from the loop once
 * p holds them, or says what failed. cspec must stay until then. -errno
 * with err when nothing was started (done never runs). */
int ctr_pins_open_as_member(el_loop *l, const ctr_spec *cspec, const peer_cred *peer, ctr_pins *p,
			    void (*done)(void *data), void *data, cerr *err);
/* Open spec->mounts[i].source for each i: root's as root here, a member's
 * from what ctr_pins_open_as_member opened; real[i] gets the path it
 * resolved to (freed by the caller with strv_free). -errno with *denied
 * the first source the member could not open or read (else SIZE_MAX). */
int ctr_pins_open(const ctr_spec *cspec, const peer_cred *peer, ctr_pins *p, char ***real, size_t *denied,
		     cerr *err);
/* Mount every pinned source at dir/binds/<i> and point the spec there. */
int ctr_pins_mount(ctr_pins *p, const char *dir, ctr_spec *cspec, cerr *err);
/* The same where they were mounted before: what is left there goes first. */
int ctr_pins_remount(ctr_pins *p, const char *dir, ctr_spec *cspec, cerr *err);
/* Before a start: every pinned bind (dir/binds/<i>) is still mounted (after a
 * reboot it is not) and its source was not deleted (a path made anew, as an
 * editor saves a file): else they are pinned again from their paths. */
int ctr_pins_present(const char *dir, cerr *err);
/* The namespace kind ("pid", "net") of pid, a process that is in cgroup
 * (below the cgroup2 mount) while its namespace is opened, bound at path
 * (none may be there): a pid that ends and is reused meanwhile is never
 * taken for it. ESRCH when it has ended. */
int ctr_pin_ns_of(const char *path, pid_t pid, const char *kind, const char *cgroup, cerr *err);
/* spec.pidNamespace "container:REF": that PID namespace, pinned at Create
 * at dir/binds/pidns (CTR_PID_NS_PIN), which config.json names. */
#define CTR_PID_NS_PIN CTR_PINS_DIR "/pidns"
int ctr_pins_pid_ns(const char *dir, pid_t pid, const char *cgroup, cerr *err);
/* Detach the pinned mounts of dir; idempotent. */
void ctr_pins_unmount(const char *dir);
