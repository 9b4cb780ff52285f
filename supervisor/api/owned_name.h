/* An owned name as a caller reaches it: a container's, a volume's, a
 * secret's, a session's or a workload's. Each owner's names are its own:
 * root's bare NAME is root's, so root names a member's NAME@UID; a member
 * names its own NAME (NAME@ITS_UID too), and no other owner's. corrald,
 * corral-docker and corralctl show and read a name by this one rule. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#define OWNED_NAME_MARK '@' /* no such name holds it */

/* owner's name as viewer is shown it (NAME, or NAME@UID to root), into buf */
const char *owned_name_shown(const char *name, uid_t owner, uid_t viewer, char *buf, size_t n);
/* ... of an event, ev (its name, and its owner) */
const char *owned_event_name(yajl_val ev, uid_t viewer, char *buf, size_t n);
/* ref, a name in ev as ev's owner gives it (a container's session), as
 * viewer is shown it; ref itself when it is none */
const char *owned_event_ref(yajl_val ev, const char *ref, uid_t viewer, char *buf, size_t n);
/* "<uid>"'s uid: its digits, a member's (not 0) */
bool owned_uid_parse(const char *s, uid_t *out);
/* ref as viewer names it: *owner (viewer's own for a bare NAME) and its
 * NAME into name (n bytes); false when its @UID is no member's uid, a
 * member's names another owner, or NAME does not fit */
bool owned_name_parse(const char *ref, uid_t viewer, uid_t *owner, char *name, size_t n);
/* Whether an event's type is of objects with owned names (a container, a
 * volume, a secret, a session, a workload) */
bool owned_type(const char *type);
