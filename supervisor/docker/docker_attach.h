/* docker_attach.c: POST /containers/{id}/attach: the client's connection
 * hijacked (101, Upgrade: tcp) and joined to corrald's Attach stream. */
#pragma once
#include "supervisor/docker/dk.h"

/* Answer 101 and join the client's hijacked connection to stream (a
 * Streams socket of corrald's, taken) as attach does: stdout and stderr
 * framed unless tty, the client's bytes as stdin when stdin_on. */
void dk_hijack_stream(dk_req *r, int stream, bool tty, bool stdin_on);
dk_handler dk_ctr_attach;
