/* Safe extraction of one tar entry into a layer root. Every path is taken
 * apart lexically (".." never climbs above the root, a leading "/" is
 * dropped), its parent is resolved with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), and the last component is created with *at calls
 * that never follow it (O_EXCL|O_NOFOLLOW, symlinkat, mknodat, linkat of an
 * fd resolved in the root). Whatever exists at the name is replaced, never
 * written through. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

struct archive;
struct archive_entry;

/* Documented in corral-image(8). */
#define LIMIT_LAYER_BYTES_DEFAULT (16ull << 30)  /* uncompressed bytes per layer */
#define LIMIT_RATIO_DEFAULT 100ull               /* uncompressed : compressed */
#define LIMIT_RATIO_FLOOR (64ull << 20)          /* ratio checked past this many bytes */
#define LIMIT_ENTRIES_DEFAULT 1000000ull         /* entries per layer */
#define LIMIT_PATH_DEFAULT 4095u                 /* bytes in an entry's path */

typedef struct extract_limits {
	uint64_t max_bytes;
	uint64_t max_ratio;   /* 0: unlimited */
	uint64_t max_entries;
	size_t max_path;
} extract_limits;

void extract_limits_default(extract_limits *l);

enum extract_mode {
	EXTRACT_LAYER, /* image layer: owners, modes, xattrs, devices, whiteouts */
	EXTRACT_PLAIN, /* an image archive: files, dirs and links only, no owners */
	EXTRACT_COPY,  /* a copy into a container: files, dirs and links with their
			* modes and times, owned by root; no devices, FIFOs or whiteouts */
	EXTRACT_COPY_OWNED, /* the same, owned as the tar says (a build's COPY --chown) */
};

typedef struct extract_ctx {
	int rootfd;
	const char *under; /* every entry goes below this path in the root ("": the root) */
	enum extract_mode mode;
	/* no directory is replaced by what is not one, nor the reverse: such an
	 * entry fails (docker cp's noOverwriteDirNonDir) */
	bool keep_kinds;
	/* in EXTRACT_COPY_OWNED, every entry owned by uid:gid, not as the tar
	 * says (docker cp -a: the container's user) */
	bool chown;
	uint32_t uid, gid;
	/* a stream that ends right after its last entry's data, with neither
	 * padding nor end blocks, ends there (the docker CLI sends a build
	 * context so when it adds the Dockerfile, and Go's reader takes it) */
	bool unpadded_end;
	bool input_ended; /* the stream's reader has given its end */
	bool ended;       /* such an end was met: no entry follows */
	const char *what;     /* "layer sha256:..", for messages */
	extract_limits lim;
	uint64_t entries;
	unsigned warnings;
	/* the last parent directory, reused while entries stay in it */
	char *cache_path;
	int cache_fd;
} extract_ctx;

void extract_init(extract_ctx *x, int rootfd, enum extract_mode mode, const char *what,
		  const extract_limits *lim);
void extract_done(extract_ctx *x);
/* Extract the entry just read from a (its data is read here). */
int extract_entry(extract_ctx *x, struct archive *a, struct archive_entry *e, cerr *err);

/* Lexically clean an entry path into out: no leading "/", no "." or empty
 * components, ".." dropping the previous component but never the root.
 * "" means the root itself. 0, or -ENAMETOOLONG. */
int path_clean(const char *in, char *out, size_t outsz);
/* Is (major, minor) a character device an image may create? */
bool device_allowed(bool is_char, unsigned major, unsigned minor);
