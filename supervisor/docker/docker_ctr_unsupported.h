/* docker_ctr_unsupported.c: What POST /containers/create may carry that
 * corral's ContainerSpec has no word for, and what POST
 * /containers/{id}/update may. */
#pragma once
#include "supervisor/docker/dk.h"

/* Create's fields that corral has no word for: -1 with r answered (400)
 * for one that changes what the container is, else a string in warnings
 * (an open array) for each that only tunes. */
int dk_create_unsupported(dk_req *r, yajl_val body, yajl_gen warnings);
/* The same for update's body: Docker's Resources that corral has not. */
int dk_update_unsupported(dk_req *r, yajl_val body, yajl_gen warnings);
