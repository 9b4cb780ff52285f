/* ctr_bundle_limits.c: Update's limits kept in the bundle too. */
#pragma once
#include "common/error.h"

struct corrald;
struct ctr;

/* c's limits (its spec's, as Update kept them) into its bundle's
 * config.json, in place of the ones it was made with: its next start has
 * them, as Docker's update outlives a restart. 0, or -errno with err. */
int ctr_bundle_keep_limits(struct corrald *d, const struct ctr *c, cerr *err);
