/* Translate OCI mount options into mount(2) flags, propagation, recursive
 * mount attributes and the filesystem data string. */
#pragma once
#include "spec.h"

/* Fill m->flags, propagation, attr_set/attr_clr, bind, recursive and data
 * from m->options; `path` names the mount in errors. */
int mount_options_parse(struct oci_mount *m, const char *path, cerr *err);
/* rootfsPropagation value to MS_* flags; -EINVAL when unknown. */
int propagation_parse(const char *s, unsigned long *out);
/* The option names this parser understands, for `corral features`: fills
 * out (up to max) and returns how many there are. */
size_t mount_options_known(const char **out, size_t max);
