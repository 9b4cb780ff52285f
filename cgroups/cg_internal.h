/* Shared inside cgroups/ only. */
#pragma once
#include "cgroups.h"

int cg_new(const char *mount, const char *path, cg **out, cerr *err);
