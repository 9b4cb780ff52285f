/* Rename (ctr_rename.c). */
#pragma once
#include "supervisor/varlink/server.h"

int sv_rename(vl_call *call, yajl_val params, void *ud);
