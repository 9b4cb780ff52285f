/* init.c: The container's init, from clone3 to execve. */
#pragma once
#include "runtime/container.h"

_Noreturn void container_init(struct init_args *a);
