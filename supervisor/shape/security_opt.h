/* security_opt.c: docker run's and podman run's --security-opt as
 * ContainerSpec's keys, for corral-docker and corralctl alike. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_gen.h>

/* opts (n of them) into g, the spec's open map: no-new-privileges[=BOOL],
 * apparmor=PROFILE, seccomp=unconfined or a profile's path on the host,
 * label=disable or label=user:X (role, type, level), systempaths=unconfined;
 * KEY:VALUE is the old separator. 0, or -1 with why (n bytes) saying which
 * option is wrong and how. */
int security_opts_gen(yajl_gen g, const char *const *opts, size_t n, char *why, size_t why_n);
