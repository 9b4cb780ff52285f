/* The default seccomp profile. Like moby's and podman's: an allow-list of
 * ordinary syscalls; anything the profile does not name fails with ENOSYS,
 * so that libc falls back from calls newer than the profile (clone3 is kept
 * out on purpose: its flags live in memory that seccomp cannot inspect, so
 * namespace creation could not be filtered); syscalls known to be dangerous
 * in a container fail with EPERM, which no libc mistakes for "not there".
 * Unlike moby there are no per-capability sections: the kernel still checks
 * capabilities for everything allowed here. */
#include "seccomp_default.h"
#include "spec_internal.h"
#include "bundle/parse_seccomp.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>

static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat",
	"capget", "capset", "chdir", "chmod", "chown", "chown32", "chroot", "clock_adjtime",
	"clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
	"dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
	"exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
	"fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
	"fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
	"futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
	"getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
	"getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
	"getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
	"get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
	"gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch",
	"inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy",
	"io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
	"io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen",
	"listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
	"madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
	"mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt",
	"mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap",
	"msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
	"name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
	"pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
	"pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
	"prlimit64", "process_mrelease", "process_vm_readv", "process_vm_writev", "pselect6",
	"pselect6_time64", "ptrace", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
	"readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
	"recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
	"restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
	"rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
	"sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
	"sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select",
	"semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
	"sendfile64", "sendmmsg", "sendmsg", "sendto", "setdomainname", "setfsgid", "setfsgid32",
	"setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "sethostname",
	"setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
	"setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
	"setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
	"signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat",
	"stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
	"sync_file_range2", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
	"ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
	"utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
	"writev", NULL,
};

/* Kernel-wide state, module loading, namespace and mount escapes, keyrings,
 * and attack surface with a history of container breakouts. */
static const char *const denied[] = {
	"acct", "add_key", "bpf", "clock_settime",
	"clock_settime64", "create_module", "delete_module", "fanotify_init", "finit_module",
	"fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module", "ioperm", "iopl",
	"kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount", "mount_setattr",
	"move_mount", "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open",
	"pivot_root", "query_module", "quotactl", "quotactl_fd", "reboot", "request_key", "setns",
	"settimeofday", "stime", "swapoff", "swapon", "_sysctl", "sysfs", "syslog", "umount",
	"umount2", "unshare", "uselib", "userfaultfd", "ustat", "vhangup", "vm86", "vm86old", NULL,
};

/* personality(2) values moby allows: PER_LINUX, PER_LINUX32, UNAME26,
 * UNAME26|PER_LINUX32, and the 0xffffffff query. Others get ENOSYS. */
static const unsigned long personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
static const unsigned long clone_ns_flags[] = { 0x00020000, 0x02000000, 0x04000000, 0x08000000,
						0x10000000, 0x20000000, 0x40000000 };
#define CLONE_NS_MASK 0x7E020000UL
#define AF_VSOCK_NR 40

/* s390 swaps clone's first two arguments. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

static const char *arches(void)
{
#if defined(__x86_64__)
	return "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]";
#elif defined(__aarch64__)
	return "[\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"]";
#elif defined(__i386__)
	return "[\"SCMP_ARCH_X86\"]";
#elif defined(__arm__)
	return "[\"SCMP_ARCH_ARM\"]";
#elif defined(__riscv) && __riscv_xlen == 64
	return "[\"SCMP_ARCH_RISCV64\"]";
#elif defined(__s390x__)
	return "[\"SCMP_ARCH_S390X\", \"SCMP_ARCH_S390\"]";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "[\"SCMP_ARCH_PPC64LE\"]";
#else
	return "[]";
#endif
}

static void add_names(strbuf *sb, const char *const *names)
{
	sb_adds(sb, "[");
	for (size_t i = 0; names[i]; i++)
		sb_addf(sb, "%s\"%s\"", i ? ", " : "", names[i]);
	sb_adds(sb, "]");
}

char *seccomp_default_profile_json(void)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": %d, \"architectures\": %s,"
		     " \"syscalls\": [{\"names\": ", SECCOMP_DEFAULT_ERRNO, arches());
	add_names(&sb, allowed);
	sb_adds(&sb, ", \"action\": \"SCMP_ACT_ALLOW\"}");
	for (size_t i = 0; i < ARRAY_SIZE(personas); i++)
		sb_addf(&sb, ", {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			     "[{\"index\": 0, \"value\": %lu, \"op\": \"SCMP_CMP_EQ\"}]}", personas[i]);
	/* clone without namespace flags is allowed; with any of them, EPERM
	 * (same-index conditions are ORed, one rule each). */
	sb_addf(&sb, ", {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": %d,"
		     " \"value\": %lu, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}",
		CLONE_FLAGS_ARG, CLONE_NS_MASK);
	sb_adds(&sb, ", {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1, \"args\": [");
	for (size_t i = 0; i < ARRAY_SIZE(clone_ns_flags); i++)
		sb_addf(&sb, "%s{\"index\": %d, \"value\": %lu, \"valueTwo\": %lu, \"op\": \"SCMP_CMP_MASKED_EQ\"}",
			i ? ", " : "", CLONE_FLAGS_ARG, clone_ns_flags[i], clone_ns_flags[i]);
	sb_adds(&sb, "]}");
	sb_addf(&sb, ", {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": %d}",
		SECCOMP_DEFAULT_ERRNO);
	/* AF_VSOCK reaches the host's hypervisor sockets. */
	sb_addf(&sb, ", {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0,"
		     " \"value\": %d, \"op\": \"SCMP_CMP_NE\"}]}", AF_VSOCK_NR);
	sb_addf(&sb, ", {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1, \"args\": "
		     "[{\"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]}", AF_VSOCK_NR);
	sb_adds(&sb, ", {\"names\": ");
	add_names(&sb, denied);
	if (sb_adds(&sb, ", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}") < 0) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

int seccomp_default_profile(struct oci_seccomp **out, cerr *err)
{
	*out = NULL;
	_cleanup_free_ char *body = seccomp_default_profile_json();
	_cleanup_free_ char *doc = NULL;
	if (!body || asprintf(&doc, "{\"seccomp\": %s}", body) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_json_ yajl_val tree = NULL;
	int r = json_parse(doc, "default seccomp profile", &tree, err);
	if (r < 0)
		return r;
	struct oci_seccomp *sc = NULL;
	r = parse_seccomp(tree, &sc, err);
	if (r < 0) {
		free_seccomp(sc);
		return cerr_wrap(err, "default seccomp profile");
	}
	*out = sc;
	return 0;
}

void seccomp_profile_free(struct oci_seccomp *sc) { free_seccomp(sc); }
