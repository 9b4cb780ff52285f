/* corral image save, load and tag, as podman's; cli_image.c parses the
 * options and calls these with what follows the verb. */
#include "images/cli/img_cli.h"
#include "images/cli/import_exit.h"
#include "images/cli/cli_image_io.h"
#include "images/import.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/save.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each REF, or REF=NAME: the image REF and the name to write for it
 * (corrald's, which names an image by its manifest digest); --name, for
 * one REF alone. No image reference holds a '='. */
int cli_image_save(const char *store, const char *format, const char *output, const char *name, int argc,
		   char **argv)
{
	if (argc < 1 || (name && argc != 1)) {
		log_error(argc < 1 ? "image save: expected IMAGE..." : "image save: --name takes one IMAGE");
		return 1;
	}
	save_opts so = { .format = SAVE_DOCKER_ARCHIVE };
	if (format && save_format_parse(format, &so.format) < 0) {
		log_error("image save: --format %s: expected docker-archive or oci-archive", format);
		return 1;
	}
	_cleanup_free_ save_ref *refs = calloc((size_t)argc, sizeof(*refs));
	if (!refs)
		return 2;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq)
			*eq = '\0';
		refs[i] = (save_ref){ .ref = argv[i], .name = eq ? eq + 1 : name };
	}
	_cleanup_close_ int ofd = -1;
	if (output && (ofd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0644)) < 0) {
		log_error("image save %s: %s: %s", argv[0], output, strerror(errno));
		return 1;
	}
	if (!output && isatty(STDOUT_FILENO)) { /* as podman: an archive is no text */
		log_error("image save %s: refusing to write an archive to a terminal: use --output FILE, or redirect",
			  argv[0]);
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	if (image_save(store, refs, (size_t)argc, &so, output ? ofd : STDOUT_FILENO, &err) < 0) {
		log_error("image save %s: %s", argv[0], cerr_msg(&err));
		return import_exit_status(err.code);
	}
	return 0;
}

int cli_image_load(const char *store, import_opts *o, const char *input, int argc, char **argv)
{
	struct stat st;
	if (argc != 0 || o->name) {
		log_error("image load: takes --input FILE (or a file as stdin), and no name");
		return 1;
	}
	if (!input && (fstat(STDIN_FILENO, &st) < 0 || !S_ISREG(st.st_mode))) {
		log_error("image load: stdin is not a file: give --input FILE");
		return 1;
	}
	const char *src = input ? input : "/proc/self/fd/0";
	_cleanup_strv_ char **names = NULL;
	o->names_out = &names;
	o->every = true;
	_cleanup_cerr_ cerr err = { 0 };
	import_result res;
	if (image_import(store, src, o, &res, &err) < 0) {
		log_error("image load %s: %s", src, cerr_msg(&err));
		return import_exit_status(err.code);
	}
	if (!names)
		printf("Loaded image: %s\n", res.id);
	for (char **n = names; n && *n; n++)
		printf("Loaded image: %s\n", *n);
	return 0;
}

int cli_image_tag(const char *store, uid_t owner, int argc, char **argv)
{
	if (argc < 2) {
		log_error("image tag: expected SOURCE TARGET...");
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_close_ int lk = -1;
	int i = -1;
	if (store_open(&s, store, false, &err) < 0 || (lk = store_lock_refs(&s, &err)) < 0 ||
	    refs_load(&s, &db, &err) < 0 || (i = refs_find(&db, NULL, argv[0], NULL, &err)) < 0) {
		log_error("image tag %s: %s", argv[0], cerr_msg(&err));
		return 1;
	}
	char manifest[DIGEST_STR_LEN];
	snprintf(manifest, sizeof(manifest), "%s", db.images[i].manifest);
	for (int k = 1; k < argc; k++)
		if (refs_set_name(&db, owner, argv[k], manifest) < 0) {
			log_error("image tag %s: %s: not an image name (lowercase [REGISTRY/]PATH[:TAG])", argv[0], argv[k]);
			return 1;
		}
	if (refs_save(&s, &db, &err) < 0) {
		log_error("image tag %s: %s", argv[0], cerr_msg(&err));
		return 1;
	}
	return 0;
}
