/* ctr_spec_mounts.c: ContainerSpec's mounts: bind mounts (spec.mounts) and
 * tmpfs mounts (spec.tmpfs, "/path[:opt,opt]" as podman --tmpfs). */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"

/* The most entries of spec.mounts, and of spec.tmpfs: each bind is an
 * open fd of corrald's while the container is made (a pod has tens). */
#define CTR_MOUNTS_MAX 1024

/* spec.mounts and spec.tmpfs; released with the spec. */
int ctr_spec_parse_mounts(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void ctr_spec_release_mounts(ctr_spec *s);
/* mounts[].sourceType's word for a file type (S_IFDIR: "directory") */
const char *ctr_source_type_word(mode_t type);
/* The image's Volumes, each an anonymous volume where the spec mounts
 * nothing (docker's and podman's run); the count added, or -errno with f. */
int ctr_spec_add_image_volumes(ctr_spec *s, char *const *paths, json_fault *f);
