#include "images/cli/img_cli.h"
#include "images/cli/import_exit.h"
#include "images/import.h"

#include <errno.h>

int import_exit_status(int code)
{
	switch (code) {
	case ENOSPC:
	case EDQUOT:
	case EROFS:
	case EIO:
	case ENOMEM:
	case ELIBACC: return IMPORT_EXIT_HOST;
	default: return IMPORT_EXIT_SOURCE;
	}
}
