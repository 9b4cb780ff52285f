/* ctr_attach.c: Attach: a client's stdio joins the container's, through its
 * monitor. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

int sv_attach(vl_call *call, yajl_val params, void *ud);
