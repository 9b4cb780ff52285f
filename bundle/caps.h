/* Capability sets as engines speak of them: podman's default set, and
 * --cap-add/--cap-drop by name ("NET_RAW", "CAP_NET_RAW", any case, or ALL). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

/* podman's default: the 11 a container gets unless told. */
extern const int caps_default[];
extern const size_t caps_default_n;

/* A capability number from its name; -EINVAL if unknown ("ALL" is not one). */
int caps_parse_name(const char *name);
/* Every capability in this process's bounding set: what ALL means, as in
 * podman and containerd (all that the engine may hand on, which under a
 * confined engine is less than all the kernel knows). */
uint64_t caps_bounding(void);
/* podman's default set, less drop, plus add (names; ALL allowed in each:
 * caps_bounding), as a mask of capability numbers. The error names the offending entry. */
int caps_compose(char *const *add, char *const *drop, uint64_t *mask, cerr *err);
/* "CAP_NET_RAW" for 13, into buf. */
const char *caps_name(int cap, char buf[static 32]);
