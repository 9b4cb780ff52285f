/* docker_df.c: GET /system/df: what images and containers take, from
 * ImageList and List with sizes. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_system_df;
