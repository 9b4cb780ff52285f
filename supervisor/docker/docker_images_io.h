/* docker_images_io.c: Images as archives: POST /images/load takes a
 * docker-archive (or an oci-archive) as its body, GET /images/{name}/get and
 * /images/get?names= answer one (of several images, as `docker save a b`
 * writes it); through corrald's ImageLoad and ImageSave without a path, so
 * that corrald's rules and corral-images' limits hold as for a file. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_img_save, dk_img_save_many;
dk_sink *dk_img_load(dk_req *r, const char *arg);
