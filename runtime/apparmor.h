/* AppArmor: a profile for the container's process, asked for at its exec
 * as runc does (libapparmor's aa_change_onexec, written to procfs by hand
 * so that the static runtime needs no library). */
#pragma once
#include <stdbool.h>
#include "common/error.h"

/* AppArmor is on where securityfs shows it and the module says Y, as runc
 * tests it. sys is the sysfs to look in ("/sys"; a fake tree in tests). */
bool apparmor_enabled_in(const char *sys);
static inline bool apparmor_enabled(void)
{
	return apparmor_enabled_in("/sys");
}

/* Whether the kernel has the profile named (its profiles file under sys's
 * securityfs lists "NAME (MODE)"); "unconfined" always is. */
bool apparmor_loaded_in(const char *sys, const char *profile);

/* A profile to apply (NULL or "" is none): refused where AppArmor is off,
 * as runc refuses it, or where it is no name; what names the field. */
int apparmor_check(const char *profile, const char *what, cerr *err);

/* The calling thread's exec attribute, opened under proc_dir (a directory
 * fd of a procfs whose pid namespace sees us) and checked to be procfs, so
 * that no file planted in a container's root can stand in for it. The fd
 * is at min_fd or above: never one of the fds passed on to the process. */
int apparmor_open_exec_attr(int proc_dir, int min_fd, cerr *err);

/* Ask for profile at our next execve, through a fd from
 * apparmor_open_exec_attr; the kernel checks that the profile is loaded. */
int apparmor_exec_profile(int attr_fd, const char *profile, cerr *err);
