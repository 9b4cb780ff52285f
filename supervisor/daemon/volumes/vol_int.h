/* What the volumes' files share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/volumes/vol_store.h"
#include "supervisor/varlink/peer.h"

struct corrald;
struct ctr;

/* A volume as a call names it: a name is the caller's own; NAME@UID is
 * UID's (how root lists a member's, and how a container's Inspect gives
 * each volume's owner back), which only root names for another. */
typedef struct vol_ref {
	uid_t owner;
	char name[VOL_NAME_MAX + 1];
} vol_ref;
