/* podman's --detach-keys: "ctrl-p,ctrl-q", "a,ctrl-@" (ctl_attach.h). */
#include "supervisor/ctl/ctl_attach.h"

#include <ctype.h>
#include <string.h>

int ctl_detach_keys(const char *spec, char *keys, size_t size, size_t *n)
{
	*n = 0;
	for (const char *p = spec; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char k;
		if (len == 1 && p[0] != ',') {
			k = p[0];
		} else if (len == 6 && !strncmp(p, "ctrl-", 5) && (isalpha((unsigned char)p[5]) || strchr("@[\\]^_", p[5]))) {
			k = (char)(toupper((unsigned char)p[5]) & 0x1f);
		} else {
			return -1;
		}
		if (*n == size)
			return -1;
		keys[(*n)++] = k;
		p = comma ? comma + 1 : p + len;
		if (comma && !*p)
			return -1;
	}
	return 0;
}
