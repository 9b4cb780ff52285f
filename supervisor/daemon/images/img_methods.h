/* The image methods of io.corral.Supervisor (service.c's table). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

/* img_methods.c */
int sv_image_import(vl_call *call, yajl_val params, void *ud);
/* img_list.c */
int sv_image_list(vl_call *call, yajl_val params, void *ud);
/* img_inspect.c */
int sv_image_inspect(vl_call *call, yajl_val params, void *ud);
int sv_image_history(vl_call *call, yajl_val params, void *ud);
/* img_tag.c */
int sv_image_tag(vl_call *call, yajl_val params, void *ud);
/* img_archive.c: load and save archives through corral-images */
int sv_image_load(vl_call *call, yajl_val params, void *ud);
int sv_image_save(vl_call *call, yajl_val params, void *ud);
/* img_remove.c */
int sv_image_remove(vl_call *call, yajl_val params, void *ud);
int sv_image_prune(vl_call *call, yajl_val params, void *ud);
/* SystemPrune: the stopped containers, then the images (img_prune.c). */
int sv_system_prune(vl_call *call, yajl_val params, void *ud);
