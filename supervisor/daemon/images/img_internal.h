/* What the image methods share among themselves, below them (img_gen.c,
 * img_prune.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "common/timefmt.h"
#include "images/image.h"
#include "images/refs.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

struct corrald;

