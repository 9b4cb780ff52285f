/* spec_json.c: Serialise the model back to config.json. */
#pragma once
#include "bundle/spec.h"

/* Serialise a spec back to JSON (pretty when asked). */
char *spec_to_json(const struct oci_spec *s, bool pretty);
