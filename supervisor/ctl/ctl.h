/* corralctl's shared pieces: the socket, calls, and output. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/client.h"

extern const char *ctl_sock;
extern int ctl_timeout_ms;
extern bool ctl_json;

/* Connect and call; on an error reply or failure prints one line and returns
 * nonzero. The reply must be released by the caller on success. */
/* Connects unless *c is already connected. */
int ctl_call(vl_client **c, const char *method, const char *params, bool more, vl_reply *rep);
/* The same with the parameters an open map in g, which it closes. */
int ctl_call_gen(vl_client **c, const char *method, yajl_gen g, bool more, vl_reply *rep);
int ctl_fail(const char *what, const char *msg);
char *ctl_to_json(yajl_val v, bool pretty);
const char *ctl_str(yajl_val o, const char *path);
/* The container verbs (containers.c): each gets argv after the verb; returns the exit code. */
int ctl_verb(const char *verb, int argc, char **argv, bool *handled);
/* corralctl image import|ls|inspect|rm|prune (images.c). */
int ctl_image(int argc, char **argv);
