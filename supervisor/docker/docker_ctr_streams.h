/* docker_ctr_streams.c: The container calls whose answer comes over time:
 * wait (Docker clients read its headers before they start the container, and
 * its body once it ends) and logs (the multiplexed frames; raw for a
 * terminal). */
#pragma once
#include "supervisor/docker/dk.h"

/* A LogLine of corrald's as Docker sends it: behind the 8-byte header
 * [stream, 0, 0, 0, size BE32] but for a terminal's, with its time first
 * when timestamps. */
void dk_log_frame(strbuf *out, yajl_val line, bool tty, bool timestamps);
dk_handler dk_ctr_wait, dk_ctr_logs;
