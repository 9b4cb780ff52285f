/* docker_img_push.c: POST /images/{name}/push?tag=: a push through corrald's
 * ImagePush, its progress as Docker's JSON lines (what `docker push` draws),
 * with the client's X-Registry-Auth and the caller's logins (docker login). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_img_push;
