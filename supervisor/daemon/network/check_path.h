/* The PATH that portmap's CHECK runs with. containernetworking-plugins'
 * portmap (1.1) checks its DNAT rules in IPv6 whenever ip6tables works,
 * also for an attachment that has only IPv4 and so no IPv6 rules, and
 * fails with "could not check ipv6 dnat: chain ... not found". Given a
 * PATH whose iptables tools are only the attached families', it checks
 * what was attached, and still finds what is broken there. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>

struct corrald;

/* For an attachment whose ADD result is result: NULL when it has both
 * families (portmap then checks both, rightly) or none, else the PATH
 * (buf): a directory under the state directory holding links to the
 * host's iptables tools of its one family. */
const char *check_path_for(const struct corrald *d, yajl_val result, char *buf, size_t n);
/* tool (iptables, ip6tables-save) as corrald's PATH finds it: 0 with its
 * path in found, or -ENOENT. */
int check_path_find(const char *tool, char *found, size_t n);
