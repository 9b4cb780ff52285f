/* docker_exec.c: Docker's exec: POST /containers/{id}/exec makes an instance
 * (corrald's ExecCreate), POST /exec/{id}/start runs it (ExecStart: detached,
 * on the hijacked connection as attach joins one, or, not hijacked, with its
 * output as the answer's body), GET /exec/{id}/json inspects it (ExecInspect:
 * the docker CLI reads the exit code there after the stream has ended). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_exec_create, dk_exec_start, dk_exec_inspect, dk_exec_resize;
