/* Shared inside cgroups/ only. */
#pragma once
#include "cgroups.h"

