/* parse_linux.c: linux: namespaces, id mappings, devices, sysctl, paths and
 * the rest. */
#pragma once
#include "bundle/spec_internal.h"
#include "bundle/spec.h"

int oci_ns_clone_flag(enum oci_ns_type t);
bool spec_has_namespace(const struct oci_spec *s, enum oci_ns_type t);
const struct oci_namespace *spec_namespace(const struct oci_spec *s, enum oci_ns_type t);

int parse_linux(yajl_val root, struct oci_spec *s, cerr *err);
void free_linux(struct oci_linux *l);
int parse_idmaps(yajl_val obj, const char *parent, const char *key, struct oci_idmap **out, size_t *n, cerr *err);
