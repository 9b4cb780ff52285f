/* criu's command line for a container's dump and restore: runc's RPC
 * options, spelt as criu's options. */
#pragma once
#include <sys/types.h>
#include "checkpoint.h"
#include "criu.h"

#define CKPT_DESCRIPTORS "descriptors.json"
#define CKPT_EXT_NETNS "extRootNetNS" /* runc's and crun's key */
#define CKPT_NETNS_FD 3               /* restore: criu's fd of the network namespace joined by path */
#define CKPT_TERMINAL "terminal.id"   /* beside the images: the dump's external terminal, tty[RDEV:DEV] */
#define CKPT_EMPTY_NET "network.empty" /* beside the images: the network namespace was left out */
#define CKPT_KEY_MAX 64 /* criu's key of an external file, file[MNT:INODE] */
#define CKPT_TERMINAL_FD 0            /* restore: criu's fd of the new terminal */

struct ckpt_ctx {
	const struct oci_spec *spec;
	const char *rootfs;     /* criu's --root */
	const char *bundle;     /* relative bind sources resolve here */
	pid_t pid;              /* dump: the init */
	const char *cgroup_mount, *cgroup_path; /* NULL: none */
	const char *pidfile;    /* restore: where criu writes the init's pid */
	const char *descriptors; /* restore: the dump's descriptors.json text */
	const char *terminal;   /* the init's terminal, tty[RDEV:DEV]: external on dump, inherited on restore */
	const char *console;    /* restore: the new pty's peer, bound on /dev/console */
	const char *ext_stdio[3]; /* dump: the init's stdio that is a file outside the container (criu's key), or "" */
};

/* Namespaces joined by path that criu cannot take: one line, else 0. */
int ckpt_joined_ns_check(const struct oci_spec *s, cerr *err);
int ckpt_dump_args(const struct criu *c, const struct ckpt_opts *o, const struct ckpt_ctx *x, char ***out, cerr *err);
int ckpt_restore_args(const struct criu *c, const struct ckpt_opts *o, const struct ckpt_ctx *x, char ***out,
		      cerr *err);
