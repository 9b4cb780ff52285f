/* A container's /etc/hosts: its text, and how a bound copy is kept current.
 *
 * corrald writes containers/<id>/hosts and binds it on /etc/hosts. When a
 * container on one of its networks comes or goes, every member's file is
 * rewritten IN PLACE: a bind mount holds the inode, so a new file renamed
 * over the old one would never be seen inside the container (hosts_rewrite
 * says what a reader may see meanwhile). */
#pragma once
#include <stddef.h>
#include "common/error.h"
#include "common/strbuf.h"

#define HOSTS_FILE "hosts"             /* in the container's directory */
#define HOSTNAME_FILE "hostname"       /* bound on /etc/hostname, as podman's */
#define HOSTS_GATEWAY_NAME "host.containers.internal"
#define HOSTS_HOST_GATEWAY "host-gateway" /* an extra host's IP: the gateway's, as Docker's (spec/names.h
					    * checks it as NAMES_HOST_GATEWAY) */
#define HOSTS_MAX 4000                 /* under a page: one write(2) */

typedef struct hosts_peer {
	const char *ip;
	const char *names; /* "hostname name", space-separated */
} hosts_peer;

typedef struct hosts_in {
	const char *hostname, *name;
	const char *ip;      /* NULL: no network; its names go on 127.0.0.1, as podman's */
	const char *gateway; /* NULL: no host.containers.internal */
	char *const *extra;  /* "NAME:IP", from spec.extraHosts (checked there); NAME:host-gateway
			      * is NAME on the gateway, and left out while there is none */
	const hosts_peer *peers; /* the other containers on its networks */
	size_t n_peers;
} hosts_in;

/* The text, in out; -E2BIG when it would not fit HOSTS_MAX (the peers that
 * do not fit are left out and the rest still written: see net_names.c). */
int hosts_render(const hosts_in *in, strbuf *out);
/* Replace path's content, keeping its inode (see above); O_NOFOLLOW. */
int hosts_rewrite(const char *path, const char *text, size_t n, cerr *err);
/* HOSTNAME_FILE in dir: the container's hostname and a newline. */
int hostname_write(const char *dir, const char *hostname, cerr *err);
