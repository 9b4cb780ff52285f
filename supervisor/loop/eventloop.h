/* A small single-threaded epoll loop over sockets, timerfd, signalfd and
 * pidfd, in the spirit of redis's ae.c. Sources may be removed from inside
 * any callback, including their own: they are freed after the batch. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include "common/error.h"

typedef struct el_loop el_loop;
typedef struct el_source el_source;

typedef void (*el_io_fn)(el_source *s, int fd, uint32_t events, void *data);
typedef void (*el_timer_fn)(el_source *s, void *data);
typedef void (*el_signal_fn)(el_source *s, const struct signalfd_siginfo *si, void *data);
/* si is the waitid() result of the exited child (si_code, si_status). */
typedef void (*el_child_fn)(el_source *s, pid_t pid, const siginfo_t *si, void *data);

int el_new(el_loop **out, cerr *err);
/* Frees every source still registered (closing the fds the loop owns). */
void el_free(el_loop *l);
static inline void el_freep(el_loop **l) { if (*l) el_free(*l); }
#define _cleanup_el_ __attribute__((cleanup(el_freep)))

/* Watch fd (not owned) for EPOLLIN/EPOLLOUT/...; level-triggered. */
int el_add_io(el_loop *l, int fd, uint32_t events, el_io_fn fn, void *data,
	      el_source **out, cerr *err);
int el_io_set_events(el_source *s, uint32_t events);

/* A timer firing after usec, then every usec when periodic (0: disarmed). */
int el_add_timer(el_loop *l, uint64_t usec, bool periodic, el_timer_fn fn, void *data,
		 el_source **out, cerr *err);
int el_timer_set(el_source *s, uint64_t usec, bool periodic);

/* Block sigs and deliver them through a signalfd. */
int el_add_signals(el_loop *l, const int *sigs, size_t n, el_signal_fn fn, void *data,
		   el_source **out, cerr *err);

/* Watch a child for exit through a pidfd (opened here, or given and then
 * owned by the loop). The child is reaped before fn runs. */
int el_add_child(el_loop *l, pid_t pid, el_child_fn fn, void *data, el_source **out, cerr *err);
int el_add_pidfd(el_loop *l, int pidfd, pid_t pid, el_child_fn fn, void *data,
		 el_source **out, cerr *err);

/* Work for the end of the loop's turn, after the events it dispatched (and
 * before it waits again), with no syscall: a stream's replies, queued by
 * other connections' calls, go out in one write then. Embedded in its
 * owner, queued at most once; cancel it before freeing the owner. A post
 * queued while posts run runs in the same turn. */
typedef struct el_post {
	void (*fn)(struct el_post *p);
	struct el_post *next;
	bool queued;
} el_post;
void el_post_queue(el_loop *l, el_post *p);
void el_post_cancel(el_loop *l, el_post *p);

/* A count per member (any uid but 0) of the helpers it has at work
 * (child.h's el_child_opts.member), each at most max at once; 0: no bound.
 * el_member_take counts one more (-ENOMEM only), whatever the bound;
 * el_member_room says whether the bound leaves room for it. */
void el_set_member_max(el_loop *l, size_t max);
size_t el_member_max(const el_loop *l);
bool el_member_room(const el_loop *l, uid_t uid);
int el_member_take(el_loop *l, uid_t uid);
void el_member_give(el_loop *l, uid_t uid);

/* Unregister and (after the current batch) free; closes fds the loop owns. */
void el_remove(el_source *s);
el_loop *el_source_loop(const el_source *s);

/* Run until el_exit(); returns the exit code given to it. */
int el_run(el_loop *l);
/* One iteration, waiting at most timeout_ms (-1 forever); returns events run. */
int el_run_once(el_loop *l, int timeout_ms);
void el_exit(el_loop *l, int code);
size_t el_n_sources(const el_loop *l);

