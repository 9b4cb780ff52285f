/* docker_img_pull.c: POST /images/create?fromImage=&tag=: a pull through
 * corrald's ImagePull, its progress as Docker's JSON lines (what `docker
 * pull` draws). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_img_pull;
