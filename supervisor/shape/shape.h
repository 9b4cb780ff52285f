/* corrald's Container in Docker's shapes, JSON in and JSON out: what
 * corral-docker answers and what corralctl inspect prints, so both say
 * the same. Nothing here calls anyone; the caller brings corrald's reply. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Whose inspect: Docker's names a container "/web", podman's "web" and
 * adds the image's name as ImageName. */
typedef enum { DK_AS_DOCKER, DK_AS_PODMAN } dk_dialect;

