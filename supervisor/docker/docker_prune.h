/* docker_prune.c: the answer every prune gives, as Docker's PruneReports. */
#pragma once
#include "supervisor/docker/dk.h"

/* One entry of the list, when a name is not said as a bare string. */
typedef int dk_gen_pruned(yajl_gen g, const char *name);

/* 200 with {key: what went, SpaceReclaimed: bytes}, without SpaceReclaimed
 * when reclaimed is -1 (a network prune's). The list is null when nothing
 * went, as Docker's empty Go slice encodes; each entry is its name, or what
 * item makes of it (an image's {"Deleted": id}). */
void dk_reply_pruned(dk_req *r, const char *key, const char *const *gone, dk_gen_pruned *item, long long reclaimed);
/* The same for a corrald reply's "removed" list and "reclaimedBytes". */
void dk_reply_removed(dk_req *r, const char *key, const vl_reply *rep, dk_gen_pruned *item);
