/* import_exit.c: the exit status of a failed import. */
#pragma once
#include "images/cli/img_cli.h"

/* The exit status for an import that failed with this error code
 * (IMPORT_EXIT_*, images/import.h): the host's when the disk is full, over
 * quota, read-only or failing, memory is short or libcrypto is missing; a
 * source that does not match its digests or does not decode fails with
 * EBADMSG, the source's. */
int import_exit_status(int code);
