/* vol_owners.c: Each owner's volume names are its own: where they are, how a
 * call names them, and what root sees of the members'. */
#pragma once
#include "supervisor/daemon/volumes/vol_int.h"

/* The directory of owner's volumes into buf: <state-dir>/volumes for
 * root, <state-dir>/volumes/@<uid> for a member (vol_store.h). */
void vol_dir(const struct corrald *d, uid_t owner, char *buf, size_t n);
/* NAME, or NAME@UID: UID's volume NAME (root may name any owner's, a
 * member only its own); false: no volume's name */
bool vol_ref_parse(const peer_cred *peer, const char *ref, vol_ref *out);
/* v's name as peer is shown it (NAME, or NAME@UID to root), into buf */
const char *vol_shown_name(const peer_cred *peer, const vol_info *v, char *buf, size_t n);
/* A volume event of owner's (create, remove), its "owner" attribute the
 * uid: a client shows it to root as NAME@UID (owned_name.h) */
void vol_publish(struct corrald *d, uid_t owner, const char *action, const char *name);
/* Remove owner's volume name: out of the names at once, its tree removed in
 * the background (trash.h: a container may have filled it with millions
 * of files). 0, -ENOENT or -errno with err. */
int vol_discard(struct corrald *d, uid_t owner, const char *name, cerr *err);
/* Every volume peer sees: its own, and root every owner's (vol_list_free) */
int vol_list_seen(const struct corrald *d, const peer_cred *peer, vol_info **out, size_t *n, cerr *err);
