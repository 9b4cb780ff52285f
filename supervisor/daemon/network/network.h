/* The network feature, as the rest of corrald sees it: its part in each
 * container's life (registered by main_corrald.c). */
#pragma once
#include "supervisor/daemon/containers/ctr_service.h"

extern const ctr_feature network_ctr_feature;
