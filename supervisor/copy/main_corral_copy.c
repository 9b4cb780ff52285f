/* corral-copy (copy.h): corrald starts it for a CopyFrom or a CopyTo,
 *   corral-copy from|to --path PATH (--root DIR | --pid PID --cgroup CG)
 *               [--ids-of DIR] [--keep-setid] [--owners | --chown UID:GID]
 *               [--overwrite-dirs] [--stat | --stat-only]
 * with fd 3 the client's upgraded connection. It ends the stream with EXIT
 * itself: 0, or 1 after a STDERR frame with the one line that says why,
 * which it also writes to stderr for corrald's log. image-load and
 * image-save are the stream ends of ImageLoad and ImageSave without a path. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/image_stream.h"
#include "supervisor/copy/copy_in.h"
#include "supervisor/copy/changes.h"
#include "supervisor/copy/copy_out.h"
#include "supervisor/copy/copy_root.h"
#include "supervisor/copy/ckpt_archive.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/pdeath.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define STREAM_FD 3

static int usage(void)
{
	fputs("usage: corral-copy from|to --path PATH (--root DIR | --pid PID --cgroup CGROUP)\n", stderr);
	return 2;
}

static void finish(int sock, int code, const char *why)
{
	stream_end(sock, code, why);
	shutdown(sock, SHUT_WR);
}

/* corral-copy checkpoint-export --dir DIR --key KEY --head JSON
 * corral-copy checkpoint-import --stage DIR --key KEY [--owner UID]
 * with fd 3 the archive (ckpt_archive.h); the import prints the verified
 * "container" object. One line on stderr and exit 1 when it fails. */
static int checkpoint_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },   { "key", required_argument, NULL, 'k' },
		{ "head", required_argument, NULL, 'h' },  { "stage", required_argument, NULL, 's' },
		{ "owner", required_argument, NULL, 'o' }, { 0 },
	};
	const char *dir = NULL, *key = NULL, *head = NULL, *stage = NULL;
	long long owner = -1;
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'k': key = optarg; break;
		case 'h': head = optarg; break;
		case 's': stage = optarg; break;
		case 'o': owner = atoll(optarg); break;
		default: return usage();
		}
	}
	bool out = streq(argv[1], "checkpoint-export");
	if (optind != argc || !key || (out ? !dir || !head : !stage))
		return usage();
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *verified = NULL;
	int r = out ? ckpt_export(dir, key, head, STREAM_FD, &err)
		    : ckpt_import(STREAM_FD, stage, key, owner, &verified, &err);
	if (r < 0) {
		fprintf(stderr, "%s\n", cerr_msg(&err));
		return 1;
	}
	if (verified)
		puts(verified);
	return 0;
}

/* corral-copy image-load --spool DIR [--max-bytes N] -- IMAGES ARGS...
 * corral-copy image-save -- IMAGES ARGS...
 * with fd 3 the client's upgraded connection (image_stream.c). */
static int image_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spool", required_argument, NULL, 's' }, { "max-bytes", required_argument, NULL, 'm' }, { 0 },
	};
	const char *spool = NULL;
	uint64_t max = UINT64_MAX;
	int o;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': spool = optarg; break;
		case 'm': max = strtoull(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	bool load = streq(argv[1], "image-load");
	if (optind >= argc || (load && !spool))
		return usage();
	_cleanup_cerr_ cerr err = { 0 };
	int r = load ? image_stream_load(spool, max, argv + optind, STREAM_FD, &err)
		     : image_stream_save(argv + optind, STREAM_FD, &err);
	if (r < 0) {
		log_error("%s: %s", argv[1], cerr_msg(&err));
		finish(STREAM_FD, 1, cerr_msg(&err));
		return 1;
	}
	shutdown(STREAM_FD, SHUT_WR);
	return r;
}

/* a client that stops reading or writing does not hold us for ever */
static void stream_timeouts(void)
{
	struct timeval tv = { .tv_sec = COPY_IO_TIMEOUT_SEC };
	setsockopt(STREAM_FD, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(STREAM_FD, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int main(int argc, char **argv)
{
	/* a copy ends with corrald, whose client's stream it serves */
	pid_t parent = getppid();
	if (die_with_parent(parent) < 0)
		return 1;
	log_set_prog("corral-copy");
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (streq(argv[1], "checkpoint-export") || streq(argv[1], "checkpoint-import")))
		return checkpoint_main(argc, argv);
	/* corral-copy changes UPPER LOWER...: Changes' lines on stdout */
	if (argc > 2 && streq(argv[1], "changes")) {
		_cleanup_cerr_ cerr err = { 0 };
		if (copy_changes(argv[2], argv + 3, stdout, &err) < 0) {
			log_error("changes: %s", cerr_msg(&err));
			return 1;
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (argc > 1 && (streq(argv[1], "image-load") || streq(argv[1], "image-save"))) {
		stream_timeouts();
		return image_main(argc, argv);
	}
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' }, { "root", required_argument, NULL, 'r' },
		{ "pid", required_argument, NULL, 'i' },  { "cgroup", required_argument, NULL, 'c' },
		{ "ids-of", required_argument, NULL, 'u' }, { "keep-setid", no_argument, NULL, 's' },
		{ "owners", no_argument, NULL, 'w' }, { "stat", no_argument, NULL, 't' },
		{ "overwrite-dirs", no_argument, NULL, 'o' }, { "chown", required_argument, NULL, 'g' },
		{ "stat-only", no_argument, NULL, 'T' }, { 0 },
	};
	copy_root root = { 0 };
	const char *path = NULL, *ids_of = NULL;
	bool keep_setid = false;
	enum copy_out_what sent = COPY_OUT_TAR;
	extract_how how = { .mode = EXTRACT_COPY, .keep_kinds = true };
	char end;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': path = optarg; break;
		case 'r': root.dir = optarg; break;
		case 'i': root.pid = (pid_t)atoi(optarg); break;
		case 'c': root.cgroup = optarg; break;
		case 'u': ids_of = optarg; break;
		case 's': keep_setid = true; break;
		case 'w': how.mode = EXTRACT_COPY_OWNED; break;
		case 't': sent = COPY_OUT_STAT_TAR; break;
		case 'T': sent = COPY_OUT_STAT; break;
		case 'o': how.keep_kinds = false; break;
		case 'g':
			if (sscanf(optarg, "%" SCNu32 ":%" SCNu32 "%c", &how.uid, &how.gid, &end) != 2)
				return usage();
			how.mode = EXTRACT_COPY_OWNED;
			how.chown = true;
			break;
		default: return usage();
		}
	}
	if (optind + 1 != argc || !path || (!root.dir && (root.pid <= 0 || !root.cgroup)))
		return usage();
	bool out = streq(argv[optind], "from");
	if (!out && !streq(argv[optind], "to"))
		return usage();
	stream_timeouts();
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_close_ int rootfd = copy_open_root(&root, &err);
	if (rootfd >= 0 && ids_of) {
		int k = copy_become_its_root(ids_of, &err);
		int e = k < 0 ? 0 : die_with_parent(parent); /* again: the new credentials cleared it */
		if (e < 0)
			k = cerr_sys(&err, -e, "die with corrald");
		if (k < 0) {
			close(rootfd);
			rootfd = k;
		}
	}
	int r = rootfd < 0 ? rootfd
		: out	   ? copy_out(rootfd, path, STREAM_FD, sent, keep_setid, &err)
			   : copy_in(rootfd, path, STREAM_FD, &how, &err);
	if (r < 0) {
		log_error("%s: %s", out ? "copy from" : "copy to", cerr_msg(&err)); /* it names the path */
		finish(STREAM_FD, 1, cerr_msg(&err));
		return 1;
	}
	finish(STREAM_FD, 0, NULL);
	return 0;
}
