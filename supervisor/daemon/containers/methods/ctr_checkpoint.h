/* ctr_checkpoint.c: Checkpoint: `corral-monitor --checkpoint` runs beside the
 * container's monitor, as a child of the loop (criu takes seconds), and dumps
 * it into containers/<id>/checkpoint/. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_checkpoint, sv_restore;
