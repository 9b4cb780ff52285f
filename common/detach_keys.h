/* Docker's and podman's detach keys ("ctrl-p,ctrl-q", "a,ctrl-@"), and
 * the filter that takes them out of what a client types: corralctl's
 * attach, and corral-docker's for the Docker API's detachKeys. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define DETACH_KEYS_MAX 16
#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

typedef struct detach_keys {
	char keys[DETACH_KEYS_MAX];
	size_t n;       /* 0: detaching is off */
	size_t matched; /* typed so far, held back */
} detach_keys;

/* spec ("" or NULL: none) into *k; 0, or -1 when it is not that form. */
int detach_keys_parse(const char *spec, detach_keys *k);
/* What passes of buf, in order, to emit (held keys that turn out not to be
 * the sequence go then): 1 once the sequence is whole (what follows it in
 * buf is dropped), 0, or emit's failure. */
typedef int (*detach_emit_fn)(const char *data, size_t n, void *ctx);
int detach_keys_filter(detach_keys *k, const char *buf, size_t n, detach_emit_fn emit, void *ctx);
