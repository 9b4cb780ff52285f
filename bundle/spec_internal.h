/* Shared between the parser's files; not part of bundle/'s API. */
#pragma once
#include "spec.h"
#include "common/json_get.h"
#include "common/json.h"

int parse_process(yajl_val root, struct oci_process *p, cerr *err);
void free_process(struct oci_process *p);
int parse_linux(yajl_val root, struct oci_spec *s, cerr *err);
void free_linux(struct oci_linux *l);
int parse_seccomp(yajl_val lnx, struct oci_seccomp **out, cerr *err);
void free_seccomp(struct oci_seccomp *sc);
int parse_idmaps(yajl_val obj, const char *parent, const char *key, struct oci_idmap **out, size_t *n, cerr *err);
