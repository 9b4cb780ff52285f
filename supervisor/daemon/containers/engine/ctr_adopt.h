/* corrald starting again, with containers of an earlier run. */
#pragma once
#include "common/error.h"

struct corrald;

/* Load every record, re-adopt running containers, account for those that
 * ended while corrald was down, start those policies say to. */
int ctr_adopt_all(struct corrald *d, cerr *err);
