/* ImagePull, ImagePush, Login and Logout of io.corral.Supervisor. */
#pragma once
#include "supervisor/varlink/server.h"

vl_method_fn sv_image_pull, sv_login, sv_logout;
