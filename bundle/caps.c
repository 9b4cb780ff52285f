#include "caps.h"
#include "common/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/capability.h>

/* podman's (containers.conf default_capabilities): Docker's 14 less
 * NET_RAW (a forged ARP reply on a shared bridge takes another container's
 * traffic), MKNOD and AUDIT_WRITE */
const int caps_default[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_SETGID, CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
};
const size_t caps_default_n = ARRAY_SIZE(caps_default);

int caps_parse_name(const char *name)
{
	char buf[40];
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
	if (strlen(bare) + 5 > sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "cap_%s", bare);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	cap_value_t v;
	/* libcap also takes numbers: a name is letters and '_' */
	if (!bare[0] || strspn(bare, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(bare) ||
	    cap_from_name(buf, &v) < 0 || v < 0 || v > CAP_LAST_CAP)
		return -EINVAL;
	return v;
}

uint64_t caps_bounding(void)
{
	uint64_t mask = 0;
	for (int cap = 0; cap < 64; cap++) /* past CAP_LAST_CAP: a newer kernel's */
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			mask |= 1ull << cap;
	return mask;
}

static int apply(char *const *names, const char *what, uint64_t *mask, bool add, cerr *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		uint64_t bits;
		if (strcasecmp(names[i], "ALL") == 0) {
			bits = caps_bounding();
		} else {
			int c = caps_parse_name(names[i]);
			if (c < 0)
				return cerr_set(err, EINVAL, "%s[%zu]: unknown capability \"%s\"", what, i, names[i]);
			bits = 1ull << c;
		}
		*mask = add ? *mask | bits : *mask & ~bits;
	}
	return 0;
}

int caps_compose(char *const *add, char *const *drop, uint64_t *mask, cerr *err)
{
	*mask = 0;
	for (size_t i = 0; i < caps_default_n; i++)
		*mask |= 1ull << caps_default[i];
	/* drops first, so that `--cap-drop ALL --cap-add NET_RAW` keeps one */
	int r = apply(drop, "capDrop", mask, false, err);
	return r < 0 ? r : apply(add, "capAdd", mask, true, err);
}

const char *caps_name(int cap, char buf[static 32])
{
	char *n = cap_to_name(cap);
	snprintf(buf, 32, "%s", n ? n : "");
	cap_free(n);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return buf;
}
