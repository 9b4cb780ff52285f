/* completion.c: `corralctl completion bash`: a bash completion function
 * written from the same tables that parse the options and print --help. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* corralctl completion bash (completion.c). */
int ctl_completion_bash(FILE *f);
