/* What GetInfo says of the host corrald runs on, as podman's `system info`
 * says it: the kernel and OS, cgroups, security modules, storage, runtime
 * and network backend. */
#pragma once
#include <yajl/yajl_gen.h>

struct corrald;

/* The "host" object's members, into g (a map is open). */
int host_info_gen(struct corrald *d, yajl_gen g);
