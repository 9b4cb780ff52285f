/* version.c: the commit the build was made from. */
#pragma once

/* git's short hash of HEAD when it was built ("unknown" outside a checkout).
 * Only version.c is compiled with it, and made again when it changes: a
 * flag on every file would leave the others stale in an incremental build. */
extern const char corral_commit[];
