/* kube_parse.c: kube_parse: a manifest file's documents, each a Pod (v1) or a
 * Deployment (apps/v1), into the canonical JSON of kube.h. */
#pragma once
#include "supervisor/daemon/workloads/kube.h"

/* file names the text in errors ("web.yaml:14: path: why"); text need not
 * end in NUL. On failure *out holds nothing. */
int kube_parse(const char *file, const char *text, size_t len, kube_set *out, cerr *err);
void kube_set_release(kube_set *s);
