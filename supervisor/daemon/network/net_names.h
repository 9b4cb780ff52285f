/* The names a container sees: its /etc/hosts, from Create on, and its
 * /etc/resolv.conf once it has a network; kept current as containers on
 * its network come and go.
 *
 * <state-dir>/networks/names/<network> lists the containers attached to a
 * network ("<id> <ip> <gateway> <hostname> <name> [<aliases>]" lines, written
 * atomically; a sixth word, when it has aliases, lists them with commas):
 * a member's hosts file is made from the lists of all the networks it is
 * on, and they outlive a corrald restart. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

struct corrald;

#define NAMES_MEMBERS_MAX 4096

/* Whether c gets a resolv.conf: it has a network beyond its own lo, or
 * names a resolver of its own (--dns with --network none: as Docker, a
 * resolver it runs itself, or one a network it joins later reaches). */
bool names_gets_resolv(const ctr_spec *s);
/* At Create: containers/<id>/hosts with no address yet (localhost, its
 * names on 127.0.0.1, spec.extraHosts); and resolv.conf when it gets one. */
int names_write_initial(struct corrald *d, const ctr *c, const char *dir, cerr *err);
/* For the attach code: after ADD (ip and gateway, removed false) and on
 * detach (removed true; ip and gateway may be NULL), record c on network
 * net, with its aliases there, and rewrite the hosts file of every
 * container on it, and c's (from the networks it is still on). */
int names_network_changed(struct corrald *d, const ctr *c, const char *net, char *const *aliases, const char *ip,
			  const char *gateway, bool removed, cerr *err);
/* After Rename: the hosts files of c's owner's containers on its networks
 * (its own with them) list it by its new name. */
void names_renamed(struct corrald *d, const struct ctr *c);
/* After a restart: forget the containers attached() says are not on any
 * network any more, and rewrite the hosts files of those that are. */
void names_prune(struct corrald *d, bool (*attached)(struct corrald *d, const char *id));
