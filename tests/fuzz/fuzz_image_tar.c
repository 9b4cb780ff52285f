/* libFuzzer target: a layer blob (gzip, zstd or plain tar) through the
 * streaming unpacker and safe tar entry handling, into a scratch directory
 * that is removed after each input. Anything created outside it is a bug;
 * run it in a throwaway VM or container, as root to reach the device,
 * owner and xattr paths. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/log.h"
#include "images/layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[64];

static void remove_base(void)
{
	rm_rf(base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base[0]) {
		log_set_level(LOG_LVL_ERROR);
		snprintf(base, sizeof(base), "/tmp/corral-fuzz-tar-XXXXXX");
		if (!mkdtemp(base))
			abort();
		atexit(remove_base);
	}
	int src = memfd_create("blob", MFD_CLOEXEC);
	if (src < 0)
		return 0;
	if (write(src, data, size) != (ssize_t)size || lseek(src, 0, SEEK_SET) != 0) {
		close(src);
		return 0;
	}
	char root[128];
	snprintf(root, sizeof(root), "%s/root", base);
	rm_rf(root);
	if (mkdir(root, 0755) < 0) {
		close(src);
		return 0;
	}
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	layer_extraction j = { .src_fd = src, .blob_out_fd = -1, .root_fd = rfd, .what = "fuzz",
			.expect_size = -1, .expect_comp = COMP_UNKNOWN };
	extract_limits_default(&j.lim);
	j.lim.max_bytes = 64u << 20;
	j.lim.max_entries = 10000;
	_cleanup_cerr_ cerr err = { 0 };
	layer_unpack(&j, &err);
	close(rfd);
	close(src);
	rm_rf(root);
	return 0;
}
