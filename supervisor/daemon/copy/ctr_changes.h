/* ctr_changes.c: Changes: what a container changed in its filesystem, as
 * docker diff and podman diff list it. */
#pragma once
#include "supervisor/daemon/copy/ctr_copy.h"

vl_method_fn sv_changes;
