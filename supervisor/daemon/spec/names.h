/* ContainerSpec's dns ([]string of IP addresses), extraHosts ([]string
 * of "NAME:IP") and networkAliases (host names), checked as they are
 * parsed. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"
#include "supervisor/daemon/spec/ctr_spec.h"

#define NAMES_DNS_MAX 16
#define NAMES_EXTRA_HOSTS_MAX 256
#define NAMES_ALIASES_MAX 32
/* an extra host's IP that is the gateway's, as Docker's (netfiles/hosts.c,
 * below this room's reach, renders it as HOSTS_HOST_GATEWAY) */
#define NAMES_HOST_GATEWAY "host-gateway"

int names_spec_parse(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void names_spec_release(ctr_spec *s);
/* An IPv4 or IPv6 address, without a prefix length or zone. */
bool names_ip_valid(const char *ip);
