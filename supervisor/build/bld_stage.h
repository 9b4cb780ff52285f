/* bld_stage.c: The stages of a Dockerfile, in order up to the target: each
 * begins at a FROM, with a base image (pulled when it is not there, or when
 * asked), an earlier stage, or scratch; its steps follow; its last image is
 * the one its config's last changes are committed on. */
#pragma once
#include "supervisor/build/bld.h"

/* bld_stage.c: the stages, in order. */
int bld_run_all(bld *b, cerr *err);
