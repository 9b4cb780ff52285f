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

/* A conflist from text: cniVersion, name (NAME_MAX of [A-Za-z0-9_.-]) and
 * 1..CNI_MAX_PLUGINS plugins, each an object with a type. */
int cni_conflist_parse(const char *text, const char *what, yajl_val *out, cerr *err);
const char *cni_list_name(yajl_val list);
yajl_val cni_list_plugin(yajl_val list, size_t i);
size_t cni_list_len(yajl_val list);
const char *cni_plugin_type(yajl_val plugin);

/* The stdin of list's plugin i: its object, with the list's name and
 * cniVersion, prevResult (NULL: none) and runtimeConfig holding the
 * capabilities it asks for (portMappings). */
char *cni_plugin_conf(yajl_val list, size_t i, yajl_val prev, const cni_args *a, size_t *len, cerr *err);
/* The environment of a plugin run: CNI_COMMAND and the rest, with PATH
 * (portmap_env_path when it is set: the caller sets it for portmap only). */
int cni_env(const char *command, const cni_args *a, char ***out);
/* The plugin binary type in a ':'-separated path list. */
int cni_find_plugin(const char *path_list, const char *type, char *out, size_t n, cerr *err);

/* A plugin that failed (exit code nonzero): its error, as one line that
 * names it, the code and the message. */
int cni_plugin_error(const char *type, int exit_code, const strbuf *out, const strbuf *errout, cerr *err);
/* An ADD result: a JSON object with cniVersion, interfaces and ips checked
 * (each ip's address a CIDR, its interface an index into interfaces). */
int cni_result_parse(const char *text, const char *type, yajl_val *out, cerr *err);
/* The container's interface in a result: its name, MAC, first IP, gateway. */
void cni_result_summary(yajl_val result, cni_summary *s);
/* A VERSION reply: does the plugin speak version? */
int cni_version_check(const char *text, const char *type, const char *version, cerr *err);
