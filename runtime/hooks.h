/* OCI hooks: a binary run with the container's state JSON on stdin and
 * killed when its timeout passes. Where each kind runs is the caller's
 * business: the parent for prestart, createRuntime, poststart and poststop;
 * the init for createContainer and startContainer. */
#pragma once
#include <stdbool.h>
#include "bundle/spec.h"

/* Run the hooks of kind in order; the first failure stops and names it
 * ("hooks.prestart[1]: /bin/x exited with status 3"). */
int hooks_run(const struct oci_spec *s, enum oci_hook_kind kind, const char *state_json, cerr *err);
/* Run every hook of kind; a failure is logged as a warning and the next
 * hook still runs (poststart, poststop). */
void hooks_run_warn(const struct oci_spec *s, enum oci_hook_kind kind, const char *state_json);
/* Whether create needs the hook rendezvous with the init. */
bool hooks_need_sync(const struct oci_spec *s);
