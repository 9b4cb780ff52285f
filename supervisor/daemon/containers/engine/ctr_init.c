#include "supervisor/daemon/containers/engine/ctr_init.h"

#include <stddef.h>
#include <sys/stat.h>

const char *ctr_init_binary(void)
{
	/* static ones only: the container's root has its own libc, or none */
	static const char *const candidates[] = {
		"/usr/libexec/podman/catatonit", "/usr/bin/catatonit", "/usr/bin/tini-static",
	};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		struct stat st;
		if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return candidates[i];
	}
	return NULL;
}
