/* docker_answer.c: The answers handlers give, with the headers every Docker
 * answer has, and the query's arguments as Docker spells them. */
#pragma once
#include "supervisor/docker/dk.h"

/* Answers, each with Docker's headers; the last one set is r's. dk_answer
 * takes resp (and ctype, when not NULL); dk_json copies g's text. */
void dk_answer(dk_req *r, unsigned status, struct MHD_Response *resp, const char *ctype);
void dk_json(dk_req *r, unsigned status, yajl_gen g);
void dk_text(dk_req *r, unsigned status, const char *ctype, const char *body, size_t len);
void dk_empty(dk_req *r, unsigned status);
void dk_error(dk_req *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A body made as it is sent: next fills buf (at most max bytes) and
 * returns the count, 0 to be called again, MHD_CONTENT_READER_END_OF_STREAM
 * at the end; done frees ctx. */
void dk_stream(dk_req *r, unsigned status, const char *ctype, MHD_ContentReaderCallback next, void *ctx,
	       MHD_ContentReaderFreeCallback done);
/* The query's argument, or NULL. */
const char *dk_query(dk_req *r, const char *key);
/* Docker's booleans: 1, true, True (absent or anything else: dflt, "0"
 * and "false": false). */
bool dk_query_bool(dk_req *r, const char *key, bool dflt);
/* An integer argument: dflt when absent, -1 when it is no integer. */
int dk_query_int(dk_req *r, const char *key, long long dflt, long long *out);
