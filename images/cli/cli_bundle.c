#include "images/cli/img_cli.h"
#include "images/cli/cli_bundle.h"
#include "bundle/spec_json.h"
#include "bundle/spec_parse.h"
#include "images/gc.h"
#include "images/image.h"
#include "images/img_rootfs.h"
#include "images/store.h"
#include "bundle/from_image.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* A bundle made from an image carries this marker, so that `bundle remove`
 * deletes only what `bundle create` made, and finds the store hold. */
#define MARKER ".corral-bundle"

enum { OPT_STORE = 256, OPT_IMAGE, OPT_COPY };

static const struct option bundle_opts[] = {
	{ "store", required_argument, NULL, OPT_STORE },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "copy", no_argument, NULL, OPT_COPY },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(void)
{
	fputs("usage: corral bundle create [--store DIR] --image REF [--copy] BUNDLE_DIR [-- CMD ARGS...]\n"
	      "       corral bundle remove BUNDLE_DIR\n",
	      stdout);
}

static void unmount_rootfs(const char *bundle)
{
	_cleanup_free_ char *p = NULL;
	if (asprintf(&p, "%s/rootfs", bundle) < 0)
		return;
	if (umount2(p, UMOUNT_NOFOLLOW) < 0 && errno == EBUSY)
		umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW);
}

static int write_marker(const char *bundle, const char *store, const char *manifest, bool copy, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "store", store) || jg_key_str(g, "manifest", manifest) ||
	    jg_key_str(g, "rootfs", copy ? "copy" : "overlay") || yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	size_t len;
	_cleanup_free_ char *text = jg_finish(g, &len);
	_cleanup_free_ char *path = NULL;
	if (!text || asprintf(&path, "%s/" MARKER, bundle) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return write_file_atomic(path, text, len, 0600, err);
}

static int create(const char *store_root, const char *ref, bool copy, const char *dir, char **args, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, store_root, false, err);
	if (r < 0)
		return r;
	_cleanup_(image_handle_free) img_handle h = { 0 };
	if ((r = image_lookup(&s, NULL, ref, &h, err)) < 0)
		return r;
	struct stat st;
	bool made_dir = stat(dir, &st) < 0;
	if ((r = mkdir_p(dir, 0711)) < 0)
		return cerr_sys(err, -r, "%s", dir);
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return cerr_sys(err, errno, "%s", dir);
	_cleanup_close_ int bfd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return cerr_sys(err, errno, "%s", abs);
	if (fstatat(bfd, "config.json", &st, AT_SYMLINK_NOFOLLOW) == 0 || fstatat(bfd, "rootfs", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return cerr_set(err, EEXIST, "%s: already holds a bundle", abs);
	if ((r = write_marker(abs, s.root, h.manifest, copy, err)) < 0 || (r = hold_add(&s, abs, h.manifest, err)) < 0)
		return r;
	if (copy) {
		if (mkdirat(bfd, "rootfs", 0755) < 0)
			r = cerr_sys(err, errno, "%s/rootfs", abs);
		_cleanup_close_ int rfd = openat(bfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r == 0 && rfd < 0)
			r = cerr_sys(err, errno, "%s/rootfs", abs);
		if (r == 0)
			r = rootfs_flatten(&s, &h, rfd, err);
		/* a user's copy holds only files it could make: their setuid
		 * bits give nobody more than that user */
		if (r == 0 && geteuid() == 0)
			r = rootfs_bind_sealed(bfd, abs, err);
	} else {
		r = rootfs_overlay(&s, &h, bfd, abs, NULL, err);
	}
	if (r == 0) {
		_cleanup_close_ int rfd = openat(bfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct oci_spec *sp = NULL;
		if (rfd < 0)
			r = cerr_sys(err, errno, "%s/rootfs", abs);
		else
			r = spec_from_image(&h.cfg, rfd, args, &sp, err);
		if (r == 0 && spec_set_annotation(sp, ANNOT_ROOTFS_SUID, "true") < 0) {
			spec_free(sp);
			r = cerr_set(err, ENOMEM, "out of memory");
		}
		if (r == 0) {
			_cleanup_free_ char *json = spec_to_json(sp, true);
			_cleanup_free_ char *path = NULL;
			spec_free(sp);
			if (!json || asprintf(&path, "%s/config.json", abs) < 0)
				r = cerr_set(err, ENOMEM, "out of memory");
			else
				r = write_file_atomic(path, json, strlen(json), 0600, err);
		}
	}
	if (r < 0) {
		/* leave nothing half made */
		unmount_rootfs(abs);
		static const char *made[] = { "rootfs", "upper", "work", "empty", "config.json", MARKER };
		for (size_t i = 0; i < ARRAY_SIZE(made); i++)
			rm_rf_at(bfd, made[i]);
		hold_drop(&s, abs);
		if (made_dir)
			rmdir(abs);
	}
	return r;
}

static int remove_bundle(const char *dir, cerr *err)
{
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return cerr_sys(err, errno, "%s", dir);
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *mpath = NULL;
	if (asprintf(&mpath, "%s/" MARKER, abs) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if (read_file(mpath, 65536, &text, NULL, NULL) < 0)
		return cerr_set(err, EINVAL, "%s: not a bundle made by corral bundle create", abs);
	_cleanup_json_ yajl_val v = NULL;
	yajl_val store = NULL;
	if (json_parse(text, MARKER, &v, NULL) == 0)
		store = json_get(v, "store");
	unmount_rootfs(abs);
	int r = rm_rf(abs);
	if (r < 0)
		return cerr_sys(err, -r, "%s: remove", abs);
	if (YAJL_IS_STRING(store)) {
		_cleanup_store_ img_store s = IMG_STORE_INIT;
		_cleanup_cerr_ cerr e = { 0 };
		if (store_open(&s, store->u.string, false, &e) == 0)
			hold_drop(&s, abs);
	}
	return 0;
}

int corral_cmd_bundle(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 1;
	}
	const char *verb = NULL, *store = NULL, *image = NULL;
	bool copy = false;
	opterr = 0;
	int c;
	/* options before the verb, then after it; "+" keeps CMD's own options */
	int base = 0;
	optind = 0; /* glibc: a full reset */
	for (int pass = 0; pass < 2; pass++) {
	while ((c = getopt_long(argc - base, argv + base, "+h", bundle_opts, NULL)) != -1) {
		switch (c) {
		case OPT_STORE: store = optarg; break;
		case OPT_IMAGE: image = optarg; break;
		case OPT_COPY: copy = true; break;
		case 'h': usage(); return 0;
		default:
			log_error("bundle: unknown option %s", argv[base + optind - 1]);
			return 1;
		}
	}
	if (pass == 0) {
		if (base + optind >= argc) {
			usage();
			return 1;
		}
		base += optind;
		verb = argv[base];
		optind = 0; /* glibc: reinitialise for the new argv */
	}
	}
	int rest = argc - base - (optind ? optind : 1);
	char **rv = argv + base + (optind ? optind : 1);
	_cleanup_cerr_ cerr err = { 0 };
	if (streq(verb, "create")) {
		if (!image || rest < 1) {
			log_error("bundle create: expected --image REF and BUNDLE_DIR");
			return 1;
		}
		char **args = rest > 1 ? rv + 1 : NULL;
		if (args && streq(args[0], "--"))
			args = rest > 2 ? args + 1 : NULL;
		if (create(store_root_default(store), image, copy, rv[0], args, &err) < 0) {
			log_error("bundle create %s: %s", rv[0], cerr_msg(&err));
			return 1;
		}
		return 0;
	}
	if (streq(verb, "remove") || streq(verb, "rm")) {
		if (rest != 1) {
			log_error("bundle remove: expected BUNDLE_DIR");
			return 1;
		}
		if (remove_bundle(rv[0], &err) < 0) {
			log_error("bundle remove %s: %s", rv[0], cerr_msg(&err));
			return 1;
		}
		return 0;
	}
	log_error("bundle: unknown command %s", verb);
	return 1;
}
