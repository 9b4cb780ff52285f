/* What every verb of the `corral` command line shares: the global options,
 * and how a verb reports its failure. */
#include "cli.h"
#include "runtime/criu.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>

struct cli cli = { .criu = CRIU_DEFAULT };

int cli_fail(cerr *err, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_error("%s: %s", what, cerr_msg(err));
	cerr_clear(err);
	return 1;
}
