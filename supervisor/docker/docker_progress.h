/* docker_progress.c: Docker's JSON progress stream, a line at a time into a
 * pump: what `docker pull` and `docker push` draw. */
#pragma once
#include "supervisor/docker/dk.h"

/* Docker's JSON progress lines (docker_progress.c), into p->out: a line
 * of g (finished here), {"status", "id"} (id may be NULL), an error
 * ({"errorDetail": {"message"}, "error"}), and {"status", "progressDetail":
 * {"current", "total"}, "id"} for a blob (its id: 12 hex digits). */
void dk_put_line(dk_pump *p, yajl_gen g);
void dk_put_status(dk_pump *p, const char *status, const char *id);
void dk_put_error(dk_pump *p, const char *msg);
void dk_put_progress(dk_pump *p, const char *status, const char *digest, long long done, long long total);
/* A pump whose ctx is a zeroed dk_relay, for the caller to fill; NULL with r
 * answered. */
dk_pump *dk_relay_new(dk_req *r);
/* A relay not yet called, freed. */
void dk_relay_free(dk_pump *p);
/* Call method and await its first reply: 0, or -1 with r answered (refused,
 * for subject; or corrald lost) and p freed. */
int dk_relay_call(dk_req *r, dk_pump *p, const char *method, const char *params, const char *subject);
