/* Named volumes (VolumeCreate and the rest, vol_methods.c) and their part
 * in a container's life: a mount of type volume is made on first use, and
 * becomes a bind of the volume's _data (vol_hooks.c). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/varlink/server.h"

struct corrald;

extern const ctr_feature volumes_container_hooks;

/* At corrald's start: a store from before each owner's names were its own
 * is put in order (vol_store.h). */
void volumes_start(struct corrald *d);

vl_method_fn sv_volume_create, sv_volume_list, sv_volume_inspect, sv_volume_remove, sv_volume_prune;
