/* A volume's name as a caller reaches it. Each owner's volume names are
 * its own: root's bare NAME is root's volume, so root names a member's
 * NAME@UID; a member names its own NAME (NAME@ITS_UID too). corrald,
 * corral-docker and corralctl show a name by this one rule. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#define VOLUME_OWNER_MARK '@' /* no volume name holds it */

/* owner's volume name as viewer is shown it (NAME, or NAME@UID to root),
 * into buf */
const char *volume_shown_name(const char *name, uid_t owner, uid_t viewer, char *buf, size_t n);
/* ... of a volume event, ev (its name, and its "owner" attribute) */
const char *volume_event_name(yajl_val ev, uid_t viewer, char *buf, size_t n);
