#include "common/cli_error.h"

#include <stdio.h>

void cli_verror(const char *who, const char *tail, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", who);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", tail ? tail : "");
}
