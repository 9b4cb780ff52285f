/* ImagePull, ImagePush, Login and Logout of io.corral.Supervisor. */
#pragma once
#include "supervisor/varlink/server.h"

int sv_image_pull(vl_call *call, yajl_val params, void *ud);
int sv_login(vl_call *call, yajl_val params, void *ud);
int sv_logout(vl_call *call, yajl_val params, void *ud);
