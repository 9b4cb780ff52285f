/* parse_process.c: process: args, env, cwd, user, capabilities, rlimits and
 * the rest. */
#pragma once
#include "bundle/spec_internal.h"

int parse_process(yajl_val root, struct oci_process *p, cerr *err);
void free_process(struct oci_process *p);
