/* ctr_attach.c: Attach: a client's stdio joins the container's, through its
 * monitor. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_attach;
