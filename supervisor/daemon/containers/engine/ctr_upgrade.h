/* A container an older corrald made, brought to what corrald makes today,
 * as corrald adopts it. */
#pragma once

struct corrald;
struct ctr;

/* Its directory its container root's alone to pass (ctr_ids.h), its
 * overlay nosuid,nodev on the host (img_source.h), and its config.json
 * saying so (ANNOT_ROOTFS_SUID), so that its next start gives it suid
 * back as a new container's gets it. Each step may be done again; one
 * that fails is logged, and the container is adopted all the same. */
void ctr_upgrade(struct corrald *d, struct ctr *c);
