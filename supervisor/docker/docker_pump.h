/* docker_pump.c: A body made as corrald answers: each time libmicrohttpd
 * wants bytes and none are left, fill is called, and may block on corrald
 * (the client of this process waits for nothing else). */
#pragma once
#include "supervisor/docker/dk.h"

/* A pump with extra bytes of context (p->ctx); NULL when out of memory. */
dk_pump *dk_pump_new(dk_req *r, int (*fill)(dk_pump *p), size_t extra);
/* Before a fill blocks on corrald: 0 once a reply can be read, -1 when
 * the client hung up meanwhile (a follow or an event stream would wait
 * for its next line to learn it). */
int dk_pump_await(dk_pump *p);
/* g's JSON (finished here), then eol, onto the body */
void dk_pump_put_json(dk_pump *p, yajl_gen g, const char *eol);
/* Answer 200 with p's body; p is libmicrohttpd's from here. */
void dk_pump_answer(dk_req *r, dk_pump *p, const char *ctype);
