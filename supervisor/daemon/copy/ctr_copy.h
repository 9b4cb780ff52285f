/* CopyFrom, CopyTo and Export (ctr_copy.c), Changes (ctr_changes.c). */
#pragma once
#include "supervisor/varlink/server.h"

int sv_copy_from(vl_call *call, yajl_val params, void *ud);
int sv_copy_to(vl_call *call, yajl_val params, void *ud);
int sv_export(vl_call *call, yajl_val params, void *ud);
