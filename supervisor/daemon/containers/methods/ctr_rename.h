/* ctr_rename.c: Rename: a container's name changes, in memory and in its
 * record (written atomically, the old name kept on failure). */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_rename;
