/* SELinux for the container, as runc applies it, without libselinux: the
 * process label set for the next execve through the task's attr/exec, and
 * linux.mountLabel given as the context= of the mounts the runtime makes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "bundle/spec.h"

/* As go-selinux decides it: selinuxfs mounted read-write at /sys/fs/selinux
 * and a policy loaded (our own label is not "kernel"). */
bool selinux_enabled(void);
/* A label in config.json or on the command line: where SELinux is off it is
 * refused as runc refuses it, and one that cannot be quoted in a mount
 * option (a '"', a control character) is refused everywhere. what names
 * its field in the error. */
int selinux_check_label(const char *label, const char *what, cerr *err);
/* Whether the loaded policy takes label as a context (its user, role,
 * type and level all known to it) */
bool selinux_context_known(const char *label);
/* create's check of process.selinuxLabel and linux.mountLabel. */
int selinux_check_spec(const struct oci_spec *s, cerr *err);
/* This thread's attr/exec under proc_dir (the host's /proc, before the
 * container's root is entered), at min_fd or above, as lsm_open_exec_attr;
 * -1 when label is empty (nothing to set), -errno on error. */
int selinux_open_exec_attr(int proc_dir, const char *label, int min_fd, cerr *err);
/* Set the label the next execve of this task (and of the tasks it clones
 * before then) takes; consumes fd. */
int selinux_set_exec_label(int fd, const char *label, cerr *err);
/* Mount data with the label as its context="..." appended; data may be
 * NULL. 0, or -E2BIG when out is too small. */
int selinux_mount_data(const char *data, const char *label, char *out, size_t len);
/* An mqueue's superblock is its ipc namespace's, made with it, and takes no
 * context= at mount: its root is labelled after, as runc does. */
int selinux_label_path(const char *path, const char *label);
