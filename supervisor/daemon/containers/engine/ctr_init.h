/* --init: a small init from the host runs as the container's pid 1, reaps
 * orphans and passes signals on, as podman --init does. */
#pragma once

/* Where the init binary is bind-mounted (read-only) in the container. */
#define CTR_INIT_PATH "/run/corral-init"

/* The host's init for containers: catatonit (podman's), else tini-static,
 * both static binaries in Debian (a dynamic tini would need the image's
 * libc); NULL when there is none. */
const char *ctr_init_binary(void);
