/* docker_ctr_mounts.c: POST /containers/create's mounts as ContainerSpec's. */
#pragma once
#include "supervisor/docker/dk.h"

/* "mounts": Binds, HostConfig.Mounts of type bind and volume, Config.Volumes
 * (vols: anonymous volumes, unless something else is there) and
 * VolumesFrom, into g (the spec's open map); -1 with r answered. */
int dk_create_mounts(dk_req *r, yajl_gen g, yajl_val hc, yajl_val vols);
/* "tmpfs": HostConfig.Tmpfs and HostConfig.Mounts of type tmpfs */
void dk_create_tmpfs(yajl_gen g, yajl_val hc);
