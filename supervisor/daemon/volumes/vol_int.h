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

/* A volume as a call names it: a member's name is its own; root's is
 * root's, and a member's volume is NAME@UID to root (how root lists it). */
typedef struct vol_ref {
	uid_t owner;
	char name[VOL_NAME_MAX + 1];
} vol_ref;
