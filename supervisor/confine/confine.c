#include "supervisor/confine/confine.h"

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/pdeath.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* The leak check at exit stops the threads with ptrace from a clone and
 * reads /proc, which the sandbox forbids (no_new_privs, not dumpable, the
 * seccomp allow-list): it would spin there. ASan's other checks stay.
 * Each confined helper links it here, with confine_start. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#endif

/* An allow-list: a socket server with a thread of its own (libmicrohttpd),
 * its allocator, libc, and an epoll loop's timers and signals. Anything else fails with EPERM, which a library
 * sees as "not allowed" rather than a crash. */
static const char *const allowed[] = {
	"read", "write", "readv", "writev", "pread64", "recvfrom", "recvmsg", "sendto", "sendmsg", "sendfile",
	"shutdown", "close", "fcntl", "ioctl", "lseek", "fstat", "newfstatat", "getsockopt", "setsockopt",
	"getsockname", "getpeername", "poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "eventfd2", "pipe2", "dup", "dup3", "mmap", "munmap", "mremap", "mprotect",
	"madvise", "brk", "futex", "clone", "clone3", "set_robust_list", "rseq", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "sigaltstack", "gettid", "getpid", "getuid", "geteuid", "getgid",
	"getegid", "clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "getrandom", "sched_yield",
	"exit", "exit_group", "restart_syscall", "prlimit64", "sched_getaffinity", "tgkill", "membarrier",
	/* /version and /info: the kernel's release, the host's name and memory */
	"uname", "sysinfo",
	"timerfd_create", "timerfd_settime", "timerfd_gettime", "signalfd4",
};

static int load_filter(const char *const *more, cerr *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return cerr_set(err, ENOMEM, "seccomp_init");
	int r = 0;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed) && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	for (size_t i = 0; more && more[i] && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(more[i]);
		if (nr != __NR_SCMP_ERROR)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r < 0 ? cerr_sys(err, -r, "seccomp: load the filter") : 0;
}

/* A helper's --uid, --gid or a count: a number from 1 to 2^31-1; -1 else */
static int parse_id(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > 0x7fffffff)
		return -1;
	*out = v;
	return 0;
}

/* The command line into h->idle and *uid, *gid (-1: not given); -1, with
 * the usage said, when it is wrong. */
static int parse_args(confine_start_spec *h, int argc, char **argv, long *uid, long *gid)
{
	/* --idle-timeout first: without it, the table is the rest */
	static const struct option opts[] = { { "idle-timeout", required_argument, NULL, 'i' },
					      { "uid", required_argument, NULL, 'u' },
					      { "gid", required_argument, NULL, 'g' }, { 0 } };
	*uid = *gid = -1;
	int o;
	while ((o = getopt_long(argc, argv, "", h->idle_option ? opts : opts + 1, NULL)) != -1) {
		long *to = o == 'u' ? uid : o == 'g' ? gid : o == 'i' ? &h->idle : NULL;
		if (!to || parse_id(optarg, to) < 0) {
			fprintf(stderr, "usage: %s --uid UID --gid GID%s (fd 3: corrald)\n", h->who,
				h->idle_option ? " [--idle-timeout SECONDS]" : "");
			return -1;
		}
	}
	return 0;
}

/* who: the helper's name, in errors. more: system calls it needs beyond a
 * socket server's (NULL-terminated; NULL for none). */
static int confine_helper(const char *who, long uid, long gid, pid_t parent, unsigned cpu_seconds,
			  const char *const *more, cerr *err)
{
	if (uid < 0 || gid < 0)
		return cerr_set(err, EINVAL, "--uid and --gid are required");
	if (uid == 0 || gid == 0)
		return cerr_set(err, EINVAL, "%s runs as root: give it a uid and gid of its own", who);
	struct rlimit cpu = { cpu_seconds, cpu_seconds + 5 };
	if (setrlimit(RLIMIT_CPU, &cpu) < 0)
		return cerr_sys(err, errno, "limit its CPU time");
	/* the bounding set goes while we are root (CAP_SETPCAP); ambient too */
	for (int cap = 0; cap < 64; cap++) /* past CAP_LAST_CAP: a newer kernel's */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return cerr_sys(err, errno, "drop capability %d from the bounding set", cap);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return cerr_sys(err, errno, "become %u:%u", (unsigned)uid, (unsigned)gid);
	prctl(PR_SET_DUMPABLE, 0);
	cap_t none = cap_init(); /* setresuid dropped them: made sure of */
	int r = none ? cap_set_proc(none) : -1;
	cap_free(none);
	if (r < 0)
		return cerr_sys(err, errno, "drop capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cerr_sys(err, errno, "no_new_privs");
	/* after the last change of credentials, which clears it */
	if ((r = die_with_parent(parent)) < 0)
		return cerr_sys(err, -r, "die with corrald");
	return load_filter(more, err);
}

int confine_start(confine_start_spec *h, int argc, char **argv)
{
	pid_t parent = getppid();
	long uid, gid;
	if (parse_args(h, argc, argv, &uid, &gid) < 0)
		return 2;
	log_set_prog(h->who);
	signal(SIGPIPE, SIG_IGN);
	if (h->before)
		h->before();
	_cleanup_cerr_ cerr err = { 0 };
	if (confine_helper(h->who, uid, gid, parent, h->cpu_seconds, NULL, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	return 0;
}
