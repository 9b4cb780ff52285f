/* ctr_sized.c: List's and Inspect's containers with their sizeRw. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/call.h"

/* c's id and writable layer, onto ids and uppers: 0, or -ENOMEM */
int ctr_sized_add(const struct corrald *d, const ctr *c, char ***ids, char ***uppers);
/* ids' writable layers (uppers) walked in a child (ids taken), then the
 * call answered: List's containers that are still there, or with one,
 * Inspect's container (NoSuchContainer once it is gone). 0, or what the
 * call was answered with. */
int ctr_reply_sized(vl_call *call, struct corrald *d, char **ids, char *const *uppers, size_t n, bool one);
