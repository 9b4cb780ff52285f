#include "common/version.h"

const char corral_commit[] = CORRAL_COMMIT;
