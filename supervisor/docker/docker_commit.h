/* docker_commit.c: POST /commit: a container's changes as a new image,
 * through corrald's ContainerCommit:
 * ?container=&repo=&tag=&comment=&author=&pause=, each ?changes= a Dockerfile
 * instruction, and the body (optional) a config whose keys replace the
 * image's. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_commit;
dk_sink *dk_img_create(dk_req *r, const char *arg);
