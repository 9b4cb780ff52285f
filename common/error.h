/* Error chains: the innermost failure first, then each caller prefixes its
 * context, so the user sees "create web: config.json: process.args: ...". */
#pragma once
#include <stdarg.h>
#include <stdbool.h>

typedef struct cerr {
	int code;   /* positive errno */
	char *msg;  /* heap, NULL when clear */
} cerr;

/* Set a fresh error; returns -code so callers can `return cerr_set(...)`.
 * Each function that fills an error takes NULL for one nobody reads: a
 * try whose failure is fine. */
int cerr_set(cerr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(code)". */
int cerr_sys(cerr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix context onto an existing error ("ctx: old"); returns -code. */
int cerr_wrap(cerr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free the message and leave the error empty ({ 0 }), ready to be set again;
 * clearing an empty error does nothing. */
void cerr_clear(cerr *err);
/* A local error that frees its message when it goes out of scope:
 *   _cleanup_cerr_ cerr err = { 0 };
 * A cerr_clear by hand is still right before the variable is filled again.
 * Copying the struct hands its message over: empty the local afterwards. */
#define _cleanup_cerr_ __attribute__((cleanup(cerr_clear)))
/* dst takes src's error (dst's own is freed); src is left empty. Returns
 * dst's -code. */
int cerr_move(cerr *dst, cerr *src);
/* An outcome the caller expects (a file already gone): true, and err
 * cleared, when err's code is code. */
bool cerr_forgive(cerr *err, int code);
/* The first error of several: first takes e's when it holds none, else
 * e's is dropped; e is left empty. */
void cerr_keep_first(cerr *first, cerr *e);
static inline const char *cerr_msg(const cerr *err)
{
	return err && err->msg ? err->msg : "unknown error";
}
