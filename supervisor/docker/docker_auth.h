/* docker_auth.c: POST /auth (docker login): corrald's Login with keep false,
 * which only tries the credentials against the registry, as dockerd does: the
 * client keeps them and sends them with each pull or push (X-Registry-Auth,
 * read here too), so that its logout, made on its own side, ends their use. */
#pragma once
#include "supervisor/docker/dk.h"

/* X-Registry-Auth, the client's credentials for this pull or push, as
 * ImagePull's and ImagePush's "credentials" member of g: 0 (none when
 * absent or without a username and password), or -1 with r answered
 * (400) when it is unreadable. */
int dk_registry_auth(dk_req *r, yajl_gen g);
dk_handler dk_auth;
