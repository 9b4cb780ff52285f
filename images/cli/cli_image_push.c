/* corral image push IMAGE DESTINATION: its progress lines on stdout with
 * --progress lines (corrald reads them), then "DIGEST SIZE REF". */
#include "images/cli/img_cli.h"
#include "images/cli/import_exit.h"
#include "images/cli/cli_auth.h"
#include "images/cli/cli_image_push.h"
#include "images/import.h"
#include "images/registry_push.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

int cli_image_push(const char *store, const reg_conf *rc, const char *authfile, int auth_fd, const char *prog,
		   int argc, char **argv)
{
	if (argc != 2) {
		log_error("image push: expected IMAGE DESTINATION");
		return 1;
	}
	if (prog && !streq(prog, "lines") && !streq(prog, "none") && !streq(prog, "auto")) {
		log_error("image push: --progress %s: expected lines or none", prog);
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *auth = NULL;
	if (cli_read_auth(authfile, auth_fd, &auth, &err) < 0) {
		log_error("image push %s: %s", argv[0], cerr_msg(&err));
		return IMPORT_EXIT_SOURCE;
	}
	push_opts o = { .conf = rc, .auth_json = auth, .progress = prog && streq(prog, "lines") ? stdout : NULL };
	push_result res;
	int r = image_push(store, argv[0], argv[1], &o, &res, &err);
	if (auth)
		explicit_bzero(auth, strlen(auth));
	if (r < 0) {
		log_error("image push %s: %s", argv[0], cerr_msg(&err));
		return import_exit_status(err.code);
	}
	printf("%s %llu %s\n", res.digest, (unsigned long long)res.size, res.ref);
	return 0;
}
