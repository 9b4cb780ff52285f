/* docker_filters.c: Docker's ?filters=: {"key": ["value", ...]} or the older
 * {"key": {"value": true}}. */
#pragma once
#include "supervisor/docker/dk.h"

/* ?filters= parsed into *out (NULL when none), each of its keys one of
 * known (NULL-terminated); -1 with r answered (400) when not. */
int dk_filters(dk_req *r, const char *const *known, yajl_val *out);
/* The i-th value of a filter, NULL past the last. */
const char *dk_filter_value(yajl_val filters, const char *key, size_t i);
/* label=KEY and label=KEY=VALUE: whether each holds for labels (an object
 * of strings), as dockerd ANDs them; true when none is given. */
bool dk_filter_labels(yajl_val filters, yajl_val labels);
/* dk_filter_labels for an object of owner's: a label filter of root's
 * matches root's own objects only. A label is its owner's word, and root's
 * tools find theirs by label (compose its services, its logs' followers):
 * a member's object with the same labels must not pass for root's. */
bool dk_filter_owned_labels(yajl_val filters, yajl_val labels, uid_t viewer, uid_t owner);
/* A prune's until=, label= and label!= as corrald's until, labels and
 * labelsNot, into the open map params; until as dockerd takes it: seconds
 * since the epoch, a duration before now (24h) or a time corrald reads
 * (RFC 3339). -1 with r answered (400) when it is none of those. */
int dk_prune_filters(dk_req *r, yajl_val filters, yajl_gen params);
