/* ctr_bundle_mounts.c: The mounts of a container's config.json, in the order
 * the runtime mounts them: corral's defaults, then what the root filesystem
 * needs (a /tmp for a shared rootfs; /run, /tmp and /var/tmp for a read-only
 * one, as podman's --read-only-tmpfs), the container's /etc/hosts and
 * /etc/resolv.conf, the request's bind mounts and tmpfs mounts, and last the
 * init binary, so that nothing mounted later hides it. */
#pragma once
#include "supervisor/daemon/containers/engine/ctr_bundle.h"

/* Whether the container joins a namespace of this type ("ipc", "network")
 * that a feature made (ctr_service.h ns_path). */
bool bundle_joins(const bundle_in *in, const char *type);
/* One mount of "mounts": options opts, then more (either may be NULL-ended
 * empty), for the features' bundle.mounts too. */
void bundle_gen_mount(yajl_gen g, const char *dst, const char *type, const char *src, const char *const *opts,
		      char *const *more);
/* Whether the request mounts something of its own at dst. */
bool bundle_requested(const ctr_spec *s, const char *dst);
/* "mounts": the defaults (dflt), then the container's own (ctr_bundle_mounts.c). */
void bundle_gen_mounts(yajl_gen g, yajl_val dflt, const bundle_in *in);
