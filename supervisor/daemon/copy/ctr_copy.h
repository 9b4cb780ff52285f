/* CopyFrom, CopyTo and Export (ctr_copy.c), Changes (ctr_changes.c). */
#pragma once
#include "supervisor/varlink/server.h"

vl_method_fn sv_copy_from, sv_copy_to, sv_export;
