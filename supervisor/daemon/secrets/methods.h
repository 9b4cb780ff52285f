/* SecretCreate, SecretList and SecretRemove; and what CreateContainer asks
 * of the store. */
#pragma once
#include <yajl/yajl_tree.h>
#include "common/json_get.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/varlink/server.h"

struct corrald;

