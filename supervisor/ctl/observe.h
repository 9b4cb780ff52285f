/* observe.c: corralctl logs and events: what containers say, and what
 * happens. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* The LogLines of a reply's "lines", stdout's to stdout, stderr's to stderr. */
void ctl_print_log_lines(yajl_val reply, bool ts);
/* Print a container's log (follow: until it ends); 0 or EXIT_CTL. */
int ctl_stream_logs(const char *id, bool follow, long tail, bool ts, const char *since, const char *until);
