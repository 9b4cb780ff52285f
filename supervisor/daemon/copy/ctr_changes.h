/* ctr_changes.c: Changes: what a container changed in its filesystem, as
 * docker diff and podman diff list it. */
#pragma once
#include "supervisor/daemon/copy/ctr_copy.h"

int sv_changes(vl_call *call, yajl_val params, void *ud);
