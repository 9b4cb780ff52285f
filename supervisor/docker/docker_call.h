/* docker_call.c: Calls to corrald, and its errors in Docker's words and
 * statuses: a Docker client decides what to do next by the status (a 404 on
 * create makes the CLI pull the image). */
#pragma once
#include "supervisor/docker/dk.h"

/* Call corrald. 0 with the reply in *rep; -1 when the call failed: a
 * varlink error (rep->error, to be judged or passed to dk_fail) or a lost
 * connection (then r's answer is set already). */
int dk_call(dk_req *r, const char *method, const char *params, vl_reply *rep);
/* Answer a failed dk_call in Docker's words; subject is what the client
 * named (a container, an image). Releases rep. */
void dk_fail(dk_req *r, vl_reply *rep, const char *subject);
/* dk_call, where any failure is answered (dk_fail, with subject): 0 with
 * the reply in *rep, or -1 with r answered. */
int dk_call_or_fail(dk_req *r, const char *method, const char *params, const char *subject, vl_reply *rep);
/* dk_call_or_fail with the params p holds (its map is closed here; p stays
 * the caller's). */
int dk_call_with(dk_req *r, const char *method, yajl_gen p, const char *subject, vl_reply *rep);
/* {"id": id} and more: a generator with the map open and "id" in it. */
yajl_gen dk_params_id(const char *id);
/* dk_call_or_fail with {key: value}, value the subject. */
int dk_call_of(dk_req *r, const char *method, const char *key, const char *value, vl_reply *rep);
/* The container's record (corrald's Inspect: its "container", held by
 * *rep); NULL with r answered when there is none. */
yajl_val dk_ctr_record(dk_req *r, const char *id, vl_reply *rep);
/* The same with another key: {key: value} and more. */
yajl_gen dk_params_of(const char *key, const char *value);
/* The params' text (the map closed), or NULL; g stays the caller's. */
char *dk_params_end(yajl_gen g);
/* {key: value}'s text, or NULL. */
char *dk_params_text(const char *key, const char *value);
/* A container's name as Docker clients give it ("/web" is web). */
const char *dk_ctr_name(const char *s);
/* A parsed JSON body (NULL and r answered 400 when it is no JSON object). */
yajl_val dk_body_json(dk_req *r);
