/* ContainerSpec's secrets: [{name, target?, uid?, mode?, mask?}], names and
 * delivery options only; whether each name exists is checked at Create
 * (secrets_check_refs, methods.h). */
#pragma once
#include <yajl/yajl_tree.h>
#include "common/json_get.h"
#include "supervisor/daemon/spec/ctr_spec.h"

#define SECRETS_DIR_IN_CTR "/run/secrets"
#define SECRETS_PER_CTR_MAX 64

#define SECRET_NAME_MAX 64

/* 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit. */
bool secret_name_valid(const char *name);
/* A spec's reference: a name, or root's NAME@UID for a member's secret
 * (its @UID, and who may use which, the store's to say). */
bool secret_ref_valid(const char *ref);

int secrets_spec_parse(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void secrets_spec_release(ctr_spec *s);
