/* parse_seccomp.c: linux.seccomp: validated here; turned into a filter by
 * runtime/. */
#pragma once
#include "bundle/spec_internal.h"

int parse_seccomp(yajl_val lnx, struct oci_seccomp **out, cerr *err);
void free_seccomp(struct oci_seccomp *sc);
