/* ctl_system.c: system info (and info) and system df, as podman prints them:
 * what corrald says of itself and the host, and what images and containers
 * take. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* ctl_system.c: info's and system info's reply, as podman prints it; and
 * system df. */
int ctl_show_info(yajl_val p);
int ctl_system_df(ctl_args *a);
