/* inspect.c: corralctl inspect's objects: corrald's Container with the fields
 * podman's inspect gives (Docker's names, supervisor/shape) beside its own. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* corrald's Containers (Inspect's) as inspect prints them: each with
 * podman's and Docker's fields beside its own (inspect.c). */
int ctl_inspect_shape(yajl_val containers, yajl_val *out);
