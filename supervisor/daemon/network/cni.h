/* The Container Network Interface, spec 1.0: what a plugin is given (its
 * config on stdin, the CNI_* environment) and what it says back (a result,
 * or an error {code, msg, details}). Pure text in, text out: cni_run.h
 * execs the plugins. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "common/strbuf.h"
#include "supervisor/daemon/spec/ports.h"

#define CNI_SPEC_VERSION "1.0.0"
#define CNI_MAX_PLUGINS 16
#define CNI_MAX_OUTPUT (1 << 20)

/* What the runtime says about one attachment. */
typedef struct cni_args {
	const char *container_id;
	const char *netns; /* "/proc/PID/ns/net"; "" for a DEL after the container went */
	const char *ifname;
	const char *path; /* CNI_PATH: plugin directories, ':'-separated */
	const char *ip;   /* an ADD's wish for this address (CNI_ARGS IP=, as host-local reads it); NULL: any */
	const char *mac;  /* ... and for the interface's MAC (CNI_ARGS MAC=, as bridge reads it); NULL: its own */
	const cni_port *ports;
	size_t n_ports;
	const char *portmap_env_path; /* the PATH of portmap alone (check_path.h); NULL: corrald's */
} cni_args;

/* The container's side of an ADD result, for Inspect. */
typedef struct cni_summary {
	char ifname[32], mac[32], ip[48], gateway[48];
	unsigned prefix_len; /* of ip: the result's address is ip/prefix_len */
} cni_summary;

