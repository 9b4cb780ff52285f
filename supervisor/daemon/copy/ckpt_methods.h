/* CheckpointExport and CheckpointImport (ckpt_methods.c): a container's
 * checkpoint as one file, out and in. */
#pragma once
#include "supervisor/varlink/server.h"

struct corrald;

vl_method_fn sv_checkpoint_export, sv_checkpoint_import;
/* At start: what an import that corrald did not finish left, to the trash. */
void ctr_import_stages_clear(struct corrald *d);
