#include "supervisor/confine/confine.h"

#include "common/pdeath.h"

#include <errno.h>
#include <grp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <unistd.h>

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

int confine_parse_id(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > 0x7fffffff)
		return -1;
	*out = v;
	return 0;
}

int confine_helper(const char *who, uid_t uid, gid_t gid, pid_t parent, unsigned cpu_seconds,
		   const char *const *more, cerr *err)
{
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
