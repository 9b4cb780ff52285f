/* spec_default.c: The default config.json, as `corral spec` writes it: runc's
 * defaults, with a read-only root and no_new_privileges. */
#pragma once
#include "bundle/spec.h"

/* The default config, as `corral spec` writes it. */
char *spec_default_json(bool rootless);
int spec_default(struct oci_spec **out, cerr *err);
