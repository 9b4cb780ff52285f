/* corral image commit: a new image from a parent and a container's
 * changes (its upper directory), or a tar on fd 3 (an import), with a
 * patch of its "config" object on stdin or in --config (none: the
 * parent's). Prints "ID MANIFEST". */
#include "images/cli/img_cli.h"
#include "images/cli/import_exit.h"
#include "images/cli/cli_image_commit.h"
#include "images/commit.h"
#include "images/manifest.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/pdeath.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_STORE = 256, OPT_OWNER, OPT_NAME, OPT_PARENT, OPT_UPPER, OPT_IDS, OPT_GID_MAP, OPT_TAR_FD, OPT_MAX, OPT_EMPTY,
       OPT_CREATED_BY, OPT_COMMENT, OPT_AUTHOR, OPT_DIE, OPT_CONFIG, OPT_EMPTY_STEP };

static const struct option opts[] = {
	{ "store", required_argument, NULL, OPT_STORE },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "upper", required_argument, NULL, OPT_UPPER },
	{ "uid-map", required_argument, NULL, OPT_IDS },
	{ "gid-map", required_argument, NULL, OPT_GID_MAP },
	{ "tar-fd", required_argument, NULL, OPT_TAR_FD },
	{ "max-size", required_argument, NULL, OPT_MAX },
	{ "empty-layer", no_argument, NULL, OPT_EMPTY },
	{ "empty-step", required_argument, NULL, OPT_EMPTY_STEP },
	{ "created-by", required_argument, NULL, OPT_CREATED_BY },
	{ "comment", required_argument, NULL, OPT_COMMENT },
	{ "author", required_argument, NULL, OPT_AUTHOR },
	{ "die-with-parent", no_argument, NULL, OPT_DIE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ 0 },
};

/* --uid-map / --gid-map CONTAINER:HOST:SIZE, each at most LAYER_MAPS_MAX times */
static bool add_map(const char *s, struct oci_idmap *m, unsigned *n)
{
	unsigned long c, h, z;
	char end;
	if (*n >= LAYER_MAPS_MAX || sscanf(s, "%lu:%lu:%lu%c", &c, &h, &z, &end) != 3 || c > UINT32_MAX ||
	    h > UINT32_MAX || z > UINT32_MAX)
		return false;
	m[(*n)++] = (struct oci_idmap){ (uint32_t)c, (uint32_t)h, (uint32_t)z };
	return true;
}

static bool parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && end != s && !*end && *s != '-' && *out <= max;
}

/* stdin: the config object, bounded as image metadata is */
static int read_config(char **out, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cerr_sys(err, errno, "read the config");
		if (sb.len + (size_t)n > IMG_MAX_JSON)
			return cerr_set(err, EFBIG, "the config is larger than %u bytes", IMG_MAX_JSON);
		sb_add(&sb, buf, (size_t)n);
	}
	*out = sb.len ? sb_detach(&sb) : NULL;
	return 0;
}

int cli_image_commit(int argc, char **argv)
{
	commit_opts o = COMMIT_OPTS_INIT;
	extract_limits_default(&o.imp.lim);
	o.tar_max = o.imp.lim.max_bytes;
	const char *store = NULL, *upper = NULL, *config_arg = NULL;
	_cleanup_strv_ char **empty_steps = NULL;
	unsigned long long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_STORE: store = optarg; break;
		case OPT_NAME: o.imp.name = optarg; break;
		case OPT_PARENT: o.parent = optarg; break;
		case OPT_UPPER: upper = optarg; break;
		case OPT_EMPTY: o.empty_layer = true; break;
		case OPT_EMPTY_STEP: {
			char *step = strdup(optarg);
			if (!step || strv_push(&empty_steps, step) < 0) {
				free(step);
				log_error("image commit: out of memory");
				return 1;
			}
			o.empty_steps = empty_steps;
			break;
		}
		case OPT_CREATED_BY: o.created_by = optarg; break;
		case OPT_COMMENT: o.comment = optarg; break;
		case OPT_AUTHOR: o.author = optarg; break;
		case OPT_CONFIG: config_arg = optarg; break;
		case OPT_DIE:
			if (die_with_parent(getppid()) < 0)
				return 1;
			break;
		case OPT_IDS:
		case OPT_GID_MAP:
			if (!(c == OPT_IDS ? add_map(optarg, o.ids.uid, &o.ids.n_uid) : add_map(optarg, o.ids.gid, &o.ids.n_gid))) {
				log_error("image commit: %s %s: not CONTAINER:HOST:SIZE, or too many", argv[optind - 2], optarg);
				return 1;
			}
			break;
		case OPT_OWNER:
		case OPT_TAR_FD:
		case OPT_MAX:
			if (!parse_num(optarg, c == OPT_MAX ? UINT64_MAX : c == OPT_OWNER ? (uid_t)-2 : 1024, &v)) {
				log_error("image commit: %s %s: not a number in range", argv[optind - 2], optarg);
				return 1;
			}
			if (c == OPT_OWNER)
				o.imp.owner = (uid_t)v;
			else if (c == OPT_TAR_FD)
				o.tar_fd = (int)v;
			else
				o.tar_max = v;
			break;
		default:
			log_error("image commit: unknown option %s", argv[optind - 1]);
			return 1;
		}
	}
	if (optind != argc || (!upper + (o.tar_fd < 0) + !o.empty_layer) != 2) {
		log_error("image commit: expected one of --upper DIR, --tar-fd N or --empty-layer, and no operands");
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *config = NULL;
	_cleanup_close_ int upper_fd = -1;
	if (upper && (upper_fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		log_error("image commit: %s: %s", upper, strerror(errno));
		return IMPORT_EXIT_HOST;
	}
	o.upper_fd = upper_fd;
	/* opened again, from its start: a spool that was written is at its end */
	_cleanup_close_ int tar_fd = -1;
	if (o.tar_fd >= 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", o.tar_fd);
		if ((tar_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			log_error("image commit: --tar-fd %d: %s", o.tar_fd, strerror(errno));
			return IMPORT_EXIT_SOURCE;
		}
		o.tar_fd = tar_fd;
	}
	import_result res;
	if ((!config_arg && read_config(&config, &err) < 0) || (o.config = config_arg ? config_arg : config,
		image_commit(store_root_default(store), &o, &res, &err) < 0)) {
		log_error("image commit: %s", cerr_msg(&err));
		return import_exit_status(err.code);
	}
	printf("%s %s\n", res.id, res.manifest);
	return 0;
}
