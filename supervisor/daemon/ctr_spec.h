/* ContainerSpec from a CreateContainer call, checked field by field, so the
 * lifecycle gets values it can use as they are. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/daemon/restart_policy.h"

enum ctr_network { CTR_NET_NONE, CTR_NET_LOOPBACK };

typedef struct ctr_mount {
	char *source, *destination;
	bool readonly;
} ctr_mount;

typedef struct ctr_spec {
	char *image;
	char *name;      /* NULL: generate one */
	char **command;  /* NULL: the image's */
	char **env;      /* KEY=VALUE */
	char *workdir, *user;
	ctr_mount *mounts;
	size_t n_mounts;
	int64_t memory;  /* bytes; -1: no limit */
	double cpus;     /* 0: no limit */
	int64_t pids;    /* -1: no limit */
	restart_policy restart;
	enum ctr_network network;
	char **labels;   /* key, value, key, value, ..., NULL */
	bool tty;
	bool interactive; /* the monitor keeps a stdin pipe (or the pty) for attached clients */
	uint64_t caps;   /* Docker's default set, less capDrop, plus capAdd */
	int stop_signal;
	unsigned stop_timeout;
} ctr_spec;

#define CTR_NAME_MAX 128

/* On failure *f names the field ("spec.mounts[1].source") and says why. */
int ctr_spec_parse(yajl_val v, const char *default_restart, unsigned default_stop_timeout, ctr_spec *out,
		   json_fault *f);
void ctr_spec_release(ctr_spec *s);
bool ctr_name_valid(const char *name);
/* "SIGTERM", "TERM" or "15"; -EINVAL when not a signal. */
int ctr_parse_signal(const char *s);
