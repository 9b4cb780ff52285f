/* ctr_summary.c: A corral Container as a row of Docker's container list, and
 * the parts that the list and inspect share: ports, networks, mounts, status. */
#pragma once
#include "supervisor/shape/shape.h"

/* An attachment's address into ip (without a "/N"), and its prefix length
 * (the address's /N, else its prefixLength, else 0) */
long long dk_address(yajl_val a, char *ip, size_t n);
/* A corral Container c (Inspect's or List's) as a row of Docker's
 * container list; images (ImageList's, or NULL) give SizeRootFs with
 * List's sizes. */
void dk_gen_ctr_summary(yajl_gen g, yajl_val c, uid_t viewer, yajl_val images);
/* With sizes (List's or Inspect's sizeRw): SizeRw, and SizeRootFs, that
 * and its image's size (image NULL: gone, 0) */
void dk_gen_ctr_sizes(yajl_gen g, yajl_val c, yajl_val image);
void dk_gen_networks(yajl_gen g, yajl_val nets);
/* A Container, or a Container's volume, v by the name viewer (a uid)
 * reaches it by: NAME, or NAME@UID for a member's in root's eyes, as the
 * lists show it (root's NAME is root's own; owned_name.h). Root's form
 * (viewer 0) reaches it from any caller that may. */
const char *dk_owned_name(yajl_val v, uid_t viewer, char *buf, size_t n);
/* Mounts: a Container's binds (its config's) and volumes (as made), each
 * volume by the name viewer gives it (dk_owned_name) */
void dk_gen_mounts(yajl_gen g, yajl_val c, uid_t viewer);
/* HostConfig.NetworkMode of a Container: its spec's network, or
 * "container:<id>" (in buf) for another's. */
const char *dk_network_mode(yajl_val c, char *buf, size_t n);
/* Docker's Status column: "Up 3 seconds", "Exited (0) 2 seconds ago". */
void dk_ctr_status_text(yajl_val c, char *buf, size_t n);
