/* A command-line tool's one-line error on stderr. */
#pragma once
#include <stdarg.h>

/* "WHO: MESSAGE TAIL\n": tail (e.g. " (see corral-broker --help)") may be
 * NULL. */
void cli_verror(const char *who, const char *tail, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
