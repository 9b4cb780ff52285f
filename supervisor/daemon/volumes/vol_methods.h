/* vol_methods.c: VolumeCreate, VolumeList, VolumeInspect, VolumeRemove,
 * VolumePrune. */
#pragma once
#include "supervisor/daemon/volumes/vol_int.h"

/* A container that holds owner's name (not removed; exited ones too, as
 * docker counts them), or NULL. */
struct ctr *vol_user(struct corrald *d, uid_t owner, const char *name);
/* The same, but for but */
struct ctr *vol_user_other(struct corrald *d, uid_t owner, const char *name, const struct ctr *but);
