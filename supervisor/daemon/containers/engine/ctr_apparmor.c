/* corrald's default AppArmor profile: what podman's containers-default
 * allows and denies, under corral's name. */
#include "supervisor/daemon/containers/engine/ctr_apparmor.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/loop/child.h"
#include "runtime/apparmor.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARSER "/sbin/apparmor_parser"

char *ctr_apparmor_profile_text(const char *name)
{
	char *t = NULL;
	int n = asprintf(&t,
		"#include <tunables/global>\n"
		"profile %1$s flags=(attach_disconnected,mediate_deleted) {\n"
		"  #include <abstractions/base>\n"
		"  network,\n  capability,\n  file,\n  umount,\n"
		/* signals from the host's unconfined side (corrald, the
		 * monitor, the runtime) and within the profile */
		"  signal (receive) peer=unconfined,\n"
		"  signal (send,receive) peer=%1$s,\n"
		/* no writes to /proc's own files, only to a process's and to
		 * the namespaced /proc/sys/kernel/shm* */
		"  deny @{PROC}/* w,\n"
		"  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,\n"
		"  deny @{PROC}/sys/[^k]** w,\n"
		"  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,\n"
		"  deny @{PROC}/sysrq-trigger rwklx,\n"
		"  deny @{PROC}/kcore rwklx,\n"
		"  deny mount,\n"
		/* /sys read-only but for the cgroup tree */
		"  deny /sys/[^f]*/** wklx,\n"
		"  deny /sys/f[^s]*/** wklx,\n"
		"  deny /sys/fs/[^c]*/** wklx,\n"
		"  deny /sys/fs/c[^g]*/** wklx,\n"
		"  deny /sys/fs/cg[^r]*/** wklx,\n"
		"  deny /sys/firmware/** rwklx,\n"
		"  deny /sys/kernel/security/** rwklx,\n"
		"  ptrace (trace,read,tracedby,readby) peer=%1$s,\n"
		"}\n",
		name);
	return n < 0 ? NULL : t;
}

static int load(const char *file, cerr *err)
{
	const char *parser = access(PARSER, X_OK) == 0 ? PARSER : "/usr" PARSER;
	if (access(parser, X_OK) < 0)
		return cerr_set(err, ENOENT, "apparmor_parser is not installed (Debian's apparmor package)");
	char *argv[] = { (char *)parser, "-r", "-K", "-q", (char *)file, NULL };
	spawn_fds fds = { .in = SPAWN_NULL, .out = SPAWN_NULL, .err = SPAWN_INHERIT, .fd3 = SPAWN_NULL };
	pid_t pid;
	int r = spawn_clean(parser, argv, &fds, false, &pid);
	if (r < 0)
		return cerr_sys(err, -r, "%s", parser);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cerr_sys(err, errno, "wait for %s", parser);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return cerr_set(err, EIO, "%s -r %s failed (status %d)", parser, file, status);
	return 0;
}

void ctr_apparmor_init(corrald *d, const char *policy_profile)
{
	if (!apparmor_enabled())
		return;
	if (policy_profile && policy_profile[0]) {
		d->apparmor_default = policy_profile;
		return;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *text = ctr_apparmor_profile_text(CTR_APPARMOR_DEFAULT);
	_cleanup_free_ char *file = NULL;
	if (!text || asprintf(&file, "%s/apparmor-" CTR_APPARMOR_DEFAULT, d->cfg->state_dir) < 0) {
		log_warn("AppArmor: out of memory: containers run unconfined");
		return;
	}
	if (write_file_atomic(file, text, strlen(text), 0644, &err) < 0 || load(file, &err) < 0) {
		log_warn("AppArmor is on but corral's profile could not be loaded: %s; containers run unconfined",
			 cerr_msg(&err));
		return;
	}
	d->apparmor_default = CTR_APPARMOR_DEFAULT;
}

int ctr_apparmor_check(const ctr_spec *s, cerr *err)
{
	int r = apparmor_check(s->apparmor, "apparmorProfile", err);
	/* at create, as containerd and CRI-O check it, not at its first start */
	if (r == 0 && s->apparmor && s->apparmor[0] && !apparmor_loaded_in("/sys", s->apparmor))
		return cerr_set(err, ENOENT, "apparmorProfile: \"%s\" is not loaded (apparmor_parser loads a profile)",
				s->apparmor);
	return r;
}

const char *ctr_apparmor_of(const corrald *d, const ctr_spec *s)
{
	if (s->apparmor && s->apparmor[0])
		return s->apparmor;
	return s->privileged || !d ? NULL : d->apparmor_default;
}
