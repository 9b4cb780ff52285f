/* CheckpointExport and CheckpointImport (ckpt_methods.c): a container's
 * checkpoint as one file, out and in. */
#pragma once
#include "supervisor/varlink/server.h"

struct corrald;

int sv_checkpoint_export(vl_call *call, yajl_val params, void *ud);
int sv_checkpoint_import(vl_call *call, yajl_val params, void *ud);
/* At start: what an import that corrald did not finish left, to the trash. */
void ctr_import_stages_clear(struct corrald *d);
