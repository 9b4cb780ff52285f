/* A container's /etc/resolv.conf, from the host's: written at Create (net_names.c),
 * into containers/<id>/resolv.conf and bound on /etc/resolv.conf. Only a
 * container with a network (not none or loopback) gets one, as podman. */
#pragma once
#include "common/error.h"
#include "common/strbuf.h"

#define RESOLV_FILE "resolv.conf" /* in the container's directory */
#define RESOLV_HOST "/etc/resolv.conf"
/* systemd-resolved's list of the real servers, behind its 127.0.0.53 stub */
#define RESOLV_RESOLVED "/run/systemd/resolve/resolv.conf"

/* The host's resolv.conf text: etc's, or resolved's when etc names only
 * 127.0.0.53 (the stub, unreachable from another network namespace). A
 * missing etc is an empty text. */
int resolv_read_host(const char *etc, const char *resolved, char **out, cerr *err);
/* The container's text: the host's search, domain and options lines (or
 * search and options, spec.dnsSearch and spec.dnsOptions, in their place
 * when given); its nameservers (less loopback ones, which the container
 * cannot reach), or dns (spec.dns) instead when given. */
int resolv_render(const char *host, char *const *dns, char *const *search, char *const *options, strbuf *out);
