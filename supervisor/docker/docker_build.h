/* docker_build.c: POST /build: the body (the context, a tar, gzip or not)
 * streams into corrald's Build, and its progress comes back as Docker's JSON
 * lines: {"stream"} as corrald says them, the image as {"aux": {"ID"}}, and a
 * failure as {"errorDetail", "error"} (a 200 answer, as Docker's builder
 * gives it once it has begun). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_build_prune;
dk_sink *dk_build(dk_req *r, const char *arg);
