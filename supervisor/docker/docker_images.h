/* docker_images.c: Images: list, inspect, remove, tag and prune, through
 * corrald's image store (names as Docker shows them:
 * docker.io/library/busybox is busybox). */
#pragma once
#include "supervisor/docker/dk.h"

/* An Image of ImageList as a row of Docker's image list; containers: how
 * many use it (-1: not counted). */
void dk_gen_img_summary(yajl_gen g, yajl_val im, long long containers);
dk_handler dk_img_list, dk_img_inspect, dk_img_remove, dk_img_tag, dk_img_prune, dk_img_history;
