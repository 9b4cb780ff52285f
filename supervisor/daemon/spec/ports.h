/* Published ports (ContainerSpec's ports, a session's, a pod's): as they
 * are parsed, and as CNI's portmap plugin takes them (portMappings). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"

#define CNI_MAX_PORTS 256

typedef struct cni_port {
	char host_ip[48]; /* "" : every address */
	uint16_t host_port, container_port;
	char protocol[4]; /* tcp | udp */
} cni_port;

/* A portMappings array (path names it in faults): *out is calloc'd, also
 * on an error. */
int cni_ports_parse(yajl_val a, const char *path, cni_port **out, size_t *n, json_fault *f);
/* The same, where a hostPort of 0 or none asks corrald to pick a free one
 * (a container's, picked at Create: ctr_ports_pick). */
int cni_ports_parse_pick(yajl_val a, const char *path, cni_port **out, size_t *n, json_fault *f);
/* key: [...], as containerd passes them under "portMappings". */
int cni_ports_gen(yajl_gen g, const char *key, const cni_port *ports, size_t n);
/* Whether a and b claim the same host port (an empty host_ip: every address). */
bool cni_ports_overlap(const cni_port *a, const cni_port *b);
