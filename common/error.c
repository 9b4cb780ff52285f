#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 4, 0)))
static int set_va(cerr *err, int code, const char *suffix, const char *fmt, va_list ap)
{
	if (code <= 0)
		code = EINVAL;
	if (!err)
		return -code;
	char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	if (m && suffix) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", m, suffix) >= 0) {
			free(m);
			m = full;
		}
	}
	free(err->msg);
	err->msg = m;
	err->code = code;
	return -code;
}

int cerr_set(cerr *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = set_va(err, code, NULL, fmt, ap);
	va_end(ap);
	return r;
}

int cerr_sys(cerr *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = set_va(err, code, strerror(code > 0 ? code : EINVAL), fmt, ap);
	va_end(ap);
	return r;
}

int cerr_wrap(cerr *err, const char *fmt, ...)
{
	if (!err)
		return -EINVAL;
	if (err->code <= 0)
		err->code = EINVAL;
	char *ctx = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -err->code;
	char *full = NULL;
	if (asprintf(&full, "%s: %s", ctx, err->msg ? err->msg : "unknown error") >= 0) {
		free(err->msg);
		err->msg = full;
	}
	free(ctx);
	return -err->code;
}

void cerr_clear(cerr *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}

int cerr_move(cerr *dst, cerr *src)
{
	cerr_clear(dst);
	*dst = *src;
	*src = (cerr){ 0 };
	return -dst->code;
}

void cerr_keep_first(cerr *first, cerr *e)
{
	if (first->code)
		cerr_clear(e);
	else
		cerr_move(first, e);
}

bool cerr_forgive(cerr *err, int code)
{
	if (!err || err->code != code)
		return false;
	cerr_clear(err);
	return true;
}
