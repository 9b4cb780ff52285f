#include "images/cli/img_cli.h"
#include "images/cli/import_exit.h"
#include "images/cli/cli_auth.h"
#include "images/cli/cli_image_push.h"
#include "images/cli/cli_image_commit.h"
#include "images/cli/cli_image_io.h"
#include "images/cli/cli_image.h"
#include "images/gc.h"
#include "images/image.h"
#include "images/import.h"
#include "images/registry_pull.h"
#include "images/registry/auth.h"
#include "images/registry/reference.h"
#include "common/pull_bars.h"
#include "images/refs.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/log.h"
#include "common/pdeath.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

enum { OPT_STORE = 256, OPT_NAME, OPT_PLATFORM, OPT_FORMAT, OPT_MAX_SIZE, OPT_MAX_RATIO, OPT_MAX_ENTRIES, OPT_NO_SYNC, OPT_OWNER,
       OPT_SEARCH, OPT_MIRROR, OPT_INSECURE, OPT_BLOCKED, OPT_CERTS_DIR, OPT_AUTHFILE, OPT_AUTH_FD, OPT_PARALLEL,
       OPT_STALL, OPT_PULL_TIMEOUT, OPT_MAX_INGEST, OPT_PROGRESS, OPT_REQUIRE_SIG, OPT_DIE_WITH_PARENT };

static const struct option image_opts[] = {
	{ "store", required_argument, NULL, OPT_STORE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "max-layer-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-ratio", required_argument, NULL, OPT_MAX_RATIO },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "no-sync", no_argument, NULL, OPT_NO_SYNC },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "search-registry", required_argument, NULL, OPT_SEARCH },
	{ "mirror", required_argument, NULL, OPT_MIRROR },
	{ "insecure-registry", required_argument, NULL, OPT_INSECURE },
	{ "blocked-registry", required_argument, NULL, OPT_BLOCKED },
	{ "certs-dir", required_argument, NULL, OPT_CERTS_DIR },
	{ "authfile", required_argument, NULL, OPT_AUTHFILE },
	{ "auth-fd", required_argument, NULL, OPT_AUTH_FD },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "stall-timeout", required_argument, NULL, OPT_STALL },
	{ "pull-timeout", required_argument, NULL, OPT_PULL_TIMEOUT },
	{ "max-ingest", required_argument, NULL, OPT_MAX_INGEST },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "require-signature", required_argument, NULL, OPT_REQUIRE_SIG },
	{ "die-with-parent", no_argument, NULL, OPT_DIE_WITH_PARENT },
	{ "output", required_argument, NULL, 'o' },
	{ "input", required_argument, NULL, 'i' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(void)
{
	fputs("usage: corral image import [--store DIR] [--name NAME[:TAG]] [--platform OS/ARCH[/VARIANT]]\n"
	      "                           [--max-layer-size BYTES] [--max-ratio N] [--max-entries N]\n"
	      "                           [--owner UID] SOURCE\n"
	      "       corral image pull [--store DIR] [--platform OS/ARCH[/VARIANT]] [--owner UID]\n"
	      "                         [--search-registry HOST] [--mirror PREFIX=HOST] [--insecure-registry HOST]\n"
	      "                         [--blocked-registry PREFIX] [--certs-dir DIR] [--authfile FILE | --auth-fd N]\n"
	      "                         [--parallel N] [--stall-timeout SECONDS] [--pull-timeout SECONDS]\n"
	      "                         [--max-ingest BYTES] [--progress auto|lines|none]\n"
	      "                         [--require-signature KEYS_DIR] REF\n"
	      "       corral image push [--store DIR] [--insecure-registry HOST] [--blocked-registry PREFIX]\n"
	      "                         [--certs-dir DIR] [--authfile FILE | --auth-fd N] [--stall-timeout SECONDS]\n"
	      "                         [--progress lines|none] IMAGE DESTINATION\n"
	      "       corral image list [--store DIR] [--format table|json]\n"
	      "       corral image inspect [--store DIR] REF\n"
	      "       corral image remove [--store DIR] REF...\n"
	      "       corral image gc [--store DIR]\n"
	      "       corral image ingest-sweep [--store DIR]\n"
	      "       corral image save [--store DIR] [--format docker-archive|oci-archive] [--output FILE]\n"
	      "                         [--name NAME] REF[=NAME]...\n"
	      "       corral image load [--store DIR] [--owner UID] [--input FILE] [--quiet]\n"
	      "       corral image tag [--store DIR] [--owner UID] REF NAME...\n"
	      "       corral image commit [--store DIR] [--owner UID] [--name NAME] [--parent MANIFEST]\n"
	      "                           [--upper DIR [--uid-map C:H:N --gid-map C:H:N] | --tar-fd N | --empty-layer]\n"
	      "                           [--empty-step TEXT]... [--created-by TEXT] [--comment TEXT] [--author TEXT]\n"
	      "                           [--config JSON | < JSON]\n"
	      "SOURCE: [oci:|oci-archive:|docker-archive:]PATH[:REF]\n",
	      stdout);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	uint64_t mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10, end++;
	else if (*end == 'M')
		mul = 1ull << 20, end++;
	else if (*end == 'G')
		mul = 1ull << 30, end++;
	if (*end)
		return false;
	*out = v * mul;
	return true;
}

static int cmd_import(const char *store, const import_opts *o, int argc, char **argv)
{
	if (argc != 1) {
		log_error("image import: expected one SOURCE");
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	import_result res;
	if (image_import(store, argv[0], o, &res, &err) < 0) {
		log_error("image import %s: %s", argv[0], cerr_msg(&err));
		int status = import_exit_status(err.code);
		return status;
	}
	printf("%s %s\n", res.id, res.manifest);
	return 0;
}

static int cmd_pull(const char *store, pull_opts *po, const char *authfile, int auth_fd, const char *prog, int argc,
		    char **argv)
{
	if (argc != 1) {
		log_error("image pull: expected one REF");
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *auth = NULL;
	if (cli_read_auth(authfile, auth_fd, &auth, &err) < 0) {
		log_error("image pull %s: %s", argv[0], cerr_msg(&err));
		return IMPORT_EXIT_SOURCE;
	}
	po->auth_json = auth;
	_cleanup_(pull_bars_end) pull_bars bars = { 0 };
	if (prog && streq(prog, "lines"))
		po->progress = stdout;
	else if ((!prog || streq(prog, "auto")) && isatty(STDERR_FILENO) && pull_bars_start(&bars) == 0)
		po->progress = bars.in;
	else if (prog && !streq(prog, "none") && !streq(prog, "auto")) {
		log_error("image pull: --progress %s: expected auto, lines or none", prog);
		return 1;
	}
	pull_result res = { 0 };
	int r = image_pull(store, argv[0], po, &res, &err);
	if (auth)
		explicit_bzero(auth, strlen(auth));
	pull_bars_end(&bars);
	if (po->progress == stdout)
		printf("fetched %llu %u\n", (unsigned long long)res.bytes, res.requests);
	if (r < 0) {
		log_error("image pull %s: %s", argv[0], cerr_msg(&err));
		return import_exit_status(err.code);
	}
	printf("%s %s %s %s\n", res.imp.id, res.imp.manifest, res.repo_digest, res.ref);
	return 0;
}

/* image login REGISTRY: do the credentials (--auth-fd/--authfile) work? */
static int cmd_login(const reg_conf *rc, const char *authfile, int auth_fd, int argc, char **argv)
{
	if (argc != 1) {
		log_error("image login: expected one REGISTRY");
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *auth = NULL;
	reg_client *c = NULL;
	char key[256];
	reg_auth_key(argv[0], key, sizeof(key));
	int r = cli_read_auth(authfile, auth_fd, &auth, &err);
	if (r == 0 && (r = reg_client_new(rc, auth, &c, &err)) == 0)
		r = reg_ping(c, reg_domain_host(key), &err);
	reg_client_free(c);
	if (auth)
		explicit_bzero(auth, strlen(auth));
	if (r < 0) {
		log_error("image login %s: %s", argv[0], cerr_msg(&err));
		return import_exit_status(err.code);
	}
	return 0;
}

static int list_json(img_store *s, const refs_db *db)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return 1;
	yajl_gen_array_open(g);
	for (size_t i = 0; i < db->n_images; i++) {
		const ref_image *im = &db->images[i];
		yajl_gen_map_open(g);
		jg_key_str(g, "id", im->config);
		jg_key_str(g, "digest", im->manifest);
		jg_key_int(g, "created", im->created);
		jg_key(g, "names");
		yajl_gen_array_open(g);
		for (size_t k = 0; k < db->n_names; k++)
			if (streq(db->names[k].manifest, im->manifest))
				jg_str(g, db->names[k].name);
		yajl_gen_array_close(g);
		img_handle h;
		_cleanup_cerr_ cerr e = { 0 };
		if (image_load(s, im->manifest, &h, &e) == 0) {
			uint64_t size = 0;
			for (size_t k = 0; k < h.man.n_layers; k++)
				size += h.man.layers[k].size;
			jg_key_int(g, "size", (long long)size);
			jg_key_int(g, "layers", (long long)h.man.n_layers);
			image_handle_free(&h);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	_cleanup_free_ char *out = jg_finish(g, NULL);
	if (out)
		printf("%s\n", out);
	return 0;
}

static int cmd_list(const char *store, const char *format)
{
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	if (store_open(&s, store, false, &err) < 0 || refs_load(&s, &db, &err) < 0) {
		log_error("image list: %s", cerr_msg(&err));
		return 1;
	}
	if (format && streq(format, "json"))
		return list_json(&s, &db);
	if (format && !streq(format, "table")) {
		log_error("image list: --format %s: expected table or json", format);
		return 1;
	}
	printf("%-40s %-12s %-19s %s\n", "NAME", "IMAGE ID", "DIGEST", "CREATED");
	for (size_t i = 0; i < db.n_images; i++) {
		const ref_image *im = &db.images[i];
		char id[13], dg[13], when[32] = "-";
		digest_short(im->config, id);
		digest_short(im->manifest, dg);
		time_t t = (time_t)im->created;
		struct tm tm;
		if (t && gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		bool named = false;
		for (size_t k = 0; k < db.n_names; k++)
			if (streq(db.names[k].manifest, im->manifest)) {
				printf("%-40s %-12s sha256:%-12s %s\n", db.names[k].name, id, dg, when);
				named = true;
			}
		if (!named)
			printf("%-40s %-12s sha256:%-12s %s\n", "<none>", id, dg, when);
	}
	return 0;
}

static int cmd_inspect(const char *store, int argc, char **argv)
{
	if (argc != 1) {
		log_error("image inspect: expected one REF");
		return 1;
	}
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	img_handle h;
	if (store_open(&s, store, false, &err) < 0 || image_lookup(&s, NULL, argv[0], &h, &err) < 0) {
		log_error("image inspect %s: %s", argv[0], cerr_msg(&err));
		return 1;
	}
	_cleanup_json_ yajl_val cfg = NULL;
	json_parse(h.config_text, "config", &cfg, &err);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	yajl_gen_map_open(g);
	jg_key_str(g, "id", h.id);
	jg_key_str(g, "digest", h.manifest);
	jg_key_int(g, "created", h.created);
	jg_key(g, "layers");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < h.man.n_layers; i++) {
		jg_object(g, JG_STR("digest", h.man.layers[i].digest), JG_STR("diff_id", h.cfg.diff_ids[i]),
			     JG_STR("mediaType", h.man.layers[i].media_type),
			     JG_INT("size", (long long)h.man.layers[i].size), JG_END);
	}
	yajl_gen_array_close(g);
	jg_key(g, "config");
	jg_value(g, cfg);
	yajl_gen_map_close(g);
	_cleanup_free_ char *out = jg_finish(g, NULL);
	image_handle_free(&h);
	if (out)
		printf("%s\n", out);
	return 0;
}

int corral_cmd_image(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 1;
	}
	if (streq(argv[1], "commit"))
		return cli_image_commit(argc - 1, argv + 1);
	const char *verb = "image";
	const char *store = NULL, *format = NULL;
	import_opts o = { 0 };
	extract_limits_default(&o.lim);
	_cleanup_(reg_conf_free) reg_conf rc = { 0 };
	pull_opts po = { .conf = &rc };
	const char *authfile = NULL, *prog = NULL, *output = NULL, *input = NULL;
	int auth_fd = -1;
	_cleanup_cerr_ cerr cerr_opt = { 0 };
	optind = 0; /* glibc: a full reset, whatever mode the caller's getopt used */
	opterr = 0;
	int c;
	/* options may come before or after the verb: GNU permutation */
	while ((c = getopt_long(argc, argv, "ho:i:q", image_opts, NULL)) != -1) {
		uint64_t v = 0;
		switch (c) {
		case OPT_STORE: store = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case OPT_PLATFORM: o.platform = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_NO_SYNC: o.no_sync = true; break;
		case OPT_SEARCH:
		case OPT_MIRROR:
		case OPT_INSECURE:
		case OPT_BLOCKED:
			if (reg_conf_add(&rc, c == OPT_SEARCH ? "search" : c == OPT_MIRROR ? "mirror"
					      : c == OPT_INSECURE ? "insecure" : "blocked", optarg, &cerr_opt) < 0) {
				log_error("image: %s", cerr_msg(&cerr_opt));
				return 1;
			}
			break;
		case OPT_CERTS_DIR:
			free(rc.certs_dir);
			rc.certs_dir = strdup(optarg);
			break;
		case OPT_AUTHFILE: authfile = optarg; break;
		case OPT_PROGRESS: prog = optarg; break;
		case OPT_REQUIRE_SIG: po.trusted_keys = optarg; break;
		case OPT_DIE_WITH_PARENT:
			/* corrald's pulls: a registry that trickles must not keep one
			 * going after corrald is gone; the next pull resumes it */
			if (die_with_parent(getppid()) < 0)
				return 1;
			break;
		case OPT_AUTH_FD:
		case OPT_PARALLEL:
		case OPT_STALL:
		case OPT_PULL_TIMEOUT:
			if (!parse_u64(optarg, &v) || v > 1000000 || strpbrk(optarg, "KkMG") ||
			    (c == OPT_PARALLEL && (v < 1 || v > PULL_PARALLEL_MAX)) || (c == OPT_STALL && v < 1)) {
				log_error("image: %s %s: out of range", argv[optind - 2], optarg);
				return 1;
			}
			if (c == OPT_AUTH_FD)
				auth_fd = (int)v;
			else if (c == OPT_PARALLEL)
				po.parallel = (unsigned)v;
			else if (c == OPT_PULL_TIMEOUT)
				rc.whole_secs = (unsigned)v;
			else
				rc.stall_secs = (unsigned)v;
			break;
		case OPT_OWNER:
		case OPT_MAX_INGEST:
		case OPT_MAX_SIZE:
		case OPT_MAX_RATIO:
		case OPT_MAX_ENTRIES:
			if (!parse_u64(optarg, &v)) {
				log_error("image: %s: not a number", optarg);
				return 1;
			}
			if (c == OPT_OWNER && (v >= (uid_t)-1 || strpbrk(optarg, "KkMG"))) {
				log_error("image: --owner %s: not a uid", optarg);
				return 1;
			}
			if (c == OPT_OWNER)
				o.owner = (uid_t)v;
			else if (c == OPT_MAX_INGEST)
				po.max_ingest = v;
			else if (c == OPT_MAX_SIZE)
				o.lim.max_bytes = v;
			else if (c == OPT_MAX_RATIO)
				o.lim.max_ratio = v;
			else
				o.lim.max_entries = v;
			break;
		case 'o': output = optarg; break;
		case 'i': input = optarg; break;
		case 'q': break; /* load prints only what it loaded */
		case 'h': usage(); return 0;
		default:
			log_error("image: unknown option %s", argv[optind - 1]);
			return 1;
		}
	}
	if (optind >= argc) {
		usage();
		return 1;
	}
	verb = argv[optind];
	store = store_root_default(store);
	int rest = argc - optind - 1;
	char **rv = argv + optind + 1;
	if (streq(verb, "import"))
		return cmd_import(store, &o, rest, rv);
	if (streq(verb, "login"))
		return cmd_login(&rc, authfile, auth_fd, rest, rv);
	if (streq(verb, "pull")) {
		po.io = o;
		return cmd_pull(store, &po, authfile, auth_fd, prog, rest, rv);
	}
	if (streq(verb, "push"))
		return cli_image_push(store, &rc, authfile, auth_fd, prog, rest, rv);
	if (streq(verb, "save"))
		return cli_image_save(store, format, output, o.name, rest, rv);
	if (streq(verb, "load"))
		return cli_image_load(store, &o, input, rest, rv);
	if (streq(verb, "tag"))
		return cli_image_tag(store, o.owner, rest, rv);
	if (streq(verb, "list") || streq(verb, "ls"))
		return cmd_list(store, format);
	if (streq(verb, "inspect"))
		return cmd_inspect(store, rest, rv);
	if (streq(verb, "remove") || streq(verb, "rm")) {
		if (rest < 1) {
			log_error("image remove: expected REF");
			return 1;
		}
		for (int i = 0; i < rest; i++) {
			_cleanup_cerr_ cerr err = { 0 };
			if (image_remove(store, rv[i], &err) < 0) {
				log_error("image remove %s: %s", rv[i], cerr_msg(&err));
				return 1;
			}
		}
		return 0;
	}
	/* what pulls left in ingest more than a day ago (corrald runs it hourly) */
	if (streq(verb, "ingest-sweep")) {
		_cleanup_cerr_ cerr err = { 0 };
		unsigned n = ingest_sweep(store, INGEST_MAX_AGE, &err);
		if (err.code) {
			log_error("image ingest-sweep: %s", cerr_msg(&err));
			return 1;
		}
		printf("removed %u ingest files\n", n);
		return 0;
	}
	if (streq(verb, "gc")) {
		_cleanup_cerr_ cerr err = { 0 };
		gc_stats st;
		if (image_gc(store, &st, &err) < 0) {
			log_error("image gc: %s", cerr_msg(&err));
			return 1;
		}
		/* the removal's disk work (the journal's commit, the blocks freed)
		 * done before the answer, not under the next pull or start; the
		 * store's lock is free by now */
		_cleanup_close_ int fd = (st.blobs || st.layers) && !o.no_sync
						 ? open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
						 : -1;
		if (fd >= 0 && syncfs(fd) < 0)
			log_warn("image gc: syncfs: %s", strerror(errno));
		printf("removed %u blobs, %u layers, %u stale holds\n", st.blobs, st.layers, st.holds);
		return 0;
	}
	log_error("image: unknown command %s", verb);
	return 1;
}
