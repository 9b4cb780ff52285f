/* Shared between the parser's files; not part of bundle/'s API. */
#pragma once
#include "spec.h"
#include "common/json_get.h"
#include "common/json.h"

