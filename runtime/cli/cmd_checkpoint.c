/* corral checkpoint | restore, with runc's command lines. */
#include "cli.h"
#include "runtime/lifecycle.h"
#include "runtime/create.h"
#include "runtime/cli/cmd_checkpoint.h"
#include "runtime/checkpoint.h"
#include "runtime/restore.h"
#include "runtime/procwait.h"
#include "common/cleanup.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

enum {
	O_IMAGE = 256, O_WORK, O_PARENT, O_LEAVE, O_TCP, O_UNIX, O_SHELL, O_LOCKS, O_PRE, O_CGMODE, O_EMPTY, O_DEDUP,
	O_HELP, O_BUNDLE, O_PIDFILE, O_CONSOLE, O_NOPIVOT, O_NOSUBREAPER, O_LSM, O_LSM_MOUNT, O_UNSUPPORTED,
};

#define CKPT_OPTS                                                                                                      \
	{ "image-path", required_argument, NULL, O_IMAGE }, { "work-path", required_argument, NULL, O_WORK },          \
	{ "tcp-established", no_argument, NULL, O_TCP }, { "ext-unix-sk", no_argument, NULL, O_UNIX },                 \
	{ "shell-job", no_argument, NULL, O_SHELL }, { "file-locks", no_argument, NULL, O_LOCKS },                     \
	{ "manage-cgroups-mode", required_argument, NULL, O_CGMODE }, { "empty-ns", required_argument, NULL, O_EMPTY }, \
	{ "auto-dedup", no_argument, NULL, O_DEDUP }, { "lazy-pages", no_argument, NULL, O_UNSUPPORTED },             \
	{ "help", no_argument, NULL, O_HELP }

/* podman asks `checkpoint --help` whether a runtime can checkpoint, and
 * reads restore's for --lsm-mount-context */
static const char *const ckpt_help[2] = {
	"usage: corral checkpoint [options] ID\n\n"
	"  --image-path DIR            criu's images (default ./checkpoint)\n"
	"  --work-path DIR             criu's logs (default the image path)\n"
	"  --parent-path DIR           a pre-dump's images, relative to the image path\n"
	"  --leave-running             keep the container running after the dump\n"
	"  --pre-dump                  dump memory only, for a later checkpoint\n"
	"  --tcp-established           allow open TCP connections\n"
	"  --ext-unix-sk               allow external unix sockets\n"
	"  --shell-job                 allow shell jobs\n"
	"  --file-locks                handle file locks\n"
	"  --manage-cgroups-mode MODE  soft, full, strict or ignore\n"
	"  --empty-ns network          do not dump the network namespace\n"
	"  --auto-dedup                deduplicate the images of --parent-path\n",
	"usage: corral restore [options] ID\n\n"
	"  -b, --bundle DIR            the container's bundle (default .)\n"
	"  -d, --detach                do not wait for the container\n"
	"  --image-path DIR            criu's images (default ./checkpoint)\n"
	"  --work-path DIR             criu's logs (default the image path)\n"
	"  --pid-file FILE             write the restored init's pid there\n"
	"  --tcp-established           restore open TCP connections\n"
	"  --ext-unix-sk               allow external unix sockets\n"
	"  --shell-job                 allow shell jobs\n"
	"  --file-locks                handle file locks\n"
	"  --manage-cgroups-mode MODE  soft, full, strict or ignore\n"
	"  --empty-ns network          do not restore the network namespace\n"
	"  --auto-dedup                deduplicate the images\n"
	"  --lsm-profile TYPE:NAME     the restored processes' LSM profile\n"
	"  --lsm-mount-context CONTEXT the SELinux context of restored mounts\n"
	"  --no-pivot, --no-subreaper  accepted, as runc's\n",
};

/* One option of both verbs; 1 when it was one, -1 when it is wrong. */
static int ckpt_option(int c, const char *verb, const char *name, struct ckpt_opts *k)
{
	switch (c) {
	case O_IMAGE: k->image_path = optarg; return 1;
	case O_WORK: k->work_path = optarg; return 1;
	case O_TCP: k->tcp_established = true; return 1;
	case O_UNIX: k->ext_unix_sk = true; return 1;
	case O_SHELL: k->shell_job = true; return 1;
	case O_LOCKS: k->file_locks = true; return 1;
	case O_DEDUP: k->auto_dedup = true; return 1;
	case O_CGMODE:
		if (strcmp(optarg, "soft") && strcmp(optarg, "full") && strcmp(optarg, "strict") && strcmp(optarg, "ignore")) {
			fprintf(stderr, "corral: %s: --manage-cgroups-mode \"%s\": must be soft, full, strict or ignore\n",
				verb, optarg);
			return -1;
		}
		k->manage_cgroups = optarg;
		return 1;
	case O_EMPTY:
		if (strcmp(optarg, "network")) {
			fprintf(stderr, "corral: %s: --empty-ns \"%s\": only network is supported\n", verb, optarg);
			return -1;
		}
		k->empty_net = true;
		return 1;
	case O_HELP:
		fputs(ckpt_help[strcmp(verb, "restore") == 0], stdout);
		exit(0);
	case O_UNSUPPORTED:
		fprintf(stderr, "corral: %s: --%s is not supported\n", verb, name);
		return -1;
	default:
		return 0;
	}
}

/* The image path runc defaults to: ./checkpoint. */
static const char *default_image_path(char buf[PATH_MAX])
{
	if (!getcwd(buf, PATH_MAX - 16))
		return "checkpoint";
	strcat(buf, "/checkpoint");
	return buf;
}

int cmd_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		CKPT_OPTS, { "parent-path", required_argument, NULL, O_PARENT },
		{ "leave-running", no_argument, NULL, O_LEAVE }, { "pre-dump", no_argument, NULL, O_PRE },
		{ "page-server", required_argument, NULL, O_UNSUPPORTED },
		{ "status-fd", required_argument, NULL, O_UNSUPPORTED }, { NULL, 0, NULL, 0 },
	};
	struct ckpt_opts k = { .criu = cli.criu };
	char cwd[PATH_MAX];
	int c, r, idx = 0;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if ((r = ckpt_option(c, "checkpoint", opts[idx].name, &k)) < 0)
			return 1;
		if (r)
			continue;
		if (c == O_PARENT) k.parent_path = optarg;
		else if (c == O_LEAVE) k.leave_running = true;
		else if (c == O_PRE) k.pre_dump = true;
		else return 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "corral: checkpoint: expected exactly one container id\n");
		return 1;
	}
	if (!k.image_path)
		k.image_path = default_image_path(cwd);
	if (k.parent_path && k.parent_path[0] == '/') {
		fprintf(stderr, "corral: checkpoint: --parent-path %s: must be relative to the image path\n", k.parent_path);
		return 1;
	}
	cerr err = { 0 };
	if (container_checkpoint(cli.root, argv[optind], &k, &err) < 0)
		return cli_fail(&err, "checkpoint %s", argv[optind]);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		CKPT_OPTS, { "bundle", required_argument, NULL, O_BUNDLE }, { "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, O_PIDFILE }, { "console-socket", required_argument, NULL, O_CONSOLE },
		{ "no-pivot", no_argument, NULL, O_NOPIVOT }, { "no-subreaper", no_argument, NULL, O_NOSUBREAPER },
		{ "lsm-profile", required_argument, NULL, O_LSM },
		{ "lsm-mount-context", required_argument, NULL, O_LSM_MOUNT }, { NULL, 0, NULL, 0 },
	};
	struct ckpt_opts k = { .criu = cli.criu };
	struct create_opts o = { .root = cli.root, .systemd_cgroup = cli.systemd_cgroup, .rootless = cli.rootless };
	const char *b = ".";
	bool detach = false;
	char cwd[PATH_MAX], bundle[PATH_MAX];
	int c, r, idx = 0;
	while ((c = getopt_long(argc, argv, "b:d", opts, &idx)) != -1) {
		if ((r = ckpt_option(c, "restore", opts[idx].name, &k)) < 0)
			return 1;
		if (r)
			continue;
		if (c == 'b' || c == O_BUNDLE) b = optarg;
		else if (c == 'd') detach = true;
		else if (c == O_PIDFILE) o.pid_file = optarg;
		else if (c == O_CONSOLE) o.console_socket = optarg;
		else if (c == O_NOPIVOT) o.no_pivot = true;
		else if (c == O_LSM) k.lsm_profile = optarg;
		else if (c == O_LSM_MOUNT) k.lsm_mount_context = optarg;
		else if (c != O_NOSUBREAPER) return 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "corral: restore: expected exactly one container id\n");
		return 1;
	}
	if (!realpath(b, bundle)) {
		fprintf(stderr, "corral: restore: --bundle %s: %s\n", b, strerror(errno));
		return 1;
	}
	o.bundle = bundle;
	o.id = argv[optind];
	if (!k.image_path)
		k.image_path = default_image_path(cwd);
	sigset_t mask;
	forwarded_sigset(&mask);
	if (!detach)
		sigprocmask(SIG_BLOCK, &mask, NULL);
	struct container ct;
	cerr err = { 0 };
	if (container_restore(&o, &k, &ct, &err) < 0)
		return cli_fail(&err, "restore %s", o.id);
	if (detach) {
		container_release(&ct);
		return 0;
	}
	/* in the foreground, as run: its exit code, then it is deleted */
	_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int code = wait_forwarding(ct.pid, ct.pidfd, sfd);
	container_release(&ct);
	if (container_delete(cli.root, o.id, true, &err) < 0)
		cli_fail(&err, "restore %s: clean up", o.id);
	return code;
}
