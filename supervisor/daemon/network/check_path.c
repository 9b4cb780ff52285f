/* portmap's PATH for a CHECK (check_path.h). */
#include "supervisor/daemon/network/check_path.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The families of result's addresses: 1 IPv4, 2 IPv6. */
static unsigned families_of(yajl_val result)
{
	yajl_val ips = json_key(result, "ips");
	unsigned f = 0;
	for (size_t i = 0; YAJL_IS_ARRAY(ips) && i < ips->u.array.len; i++) {
		const char *a = YAJL_GET_STRING(json_key(ips->u.array.values[i], "address"));
		if (a)
			f |= strchr(a, ':') ? 2 : 1;
	}
	return f;
}

int check_path_find(const char *tool, char *found, size_t n)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *list = strdup(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;
	for (char *p = list ? strtok_r(list, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
		if (snprintf(found, n, "%s/%s", p, tool) < (int)n && access(found, X_OK) == 0)
			return 0;
	return -ENOENT;
}

/* tool as corrald's PATH finds it, linked into dir under its own name (the
 * multi-call xtables binaries go by that name). */
static int link_tool(const char *dir, const char *tool)
{
	char found[PATH_MAX], link[PATH_MAX];
	if (check_path_find(tool, found, sizeof(found)) < 0)
		return -ENOENT;
	snprintf(link, sizeof(link), "%s/%s", dir, tool);
	(void)unlink(link);
	return symlink(found, link) < 0 ? -errno : 0;
}

const char *check_path_for(const struct corrald *d, yajl_val result, char *buf, size_t n)
{
	unsigned f = families_of(result);
	if (f != 1 && f != 2)
		return NULL;
	const char *pre = f == 1 ? "ip" : "ip6";
	static const char *const tools[] = { "tables", "tables-save", "tables-restore" };
	if (snprintf(buf, n, "%s/networks/check-path/%s", d->cfg->state_dir, f == 1 ? "ipv4" : "ipv6") >= (int)n ||
	    mkdir_p(buf, 0755) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(tools) / sizeof(*tools); i++) {
		char tool[32];
		snprintf(tool, sizeof(tool), "%s%s", pre, tools[i]);
		int r = link_tool(buf, tool);
		if (r < 0 && i == 0) { /* without it, portmap would check nothing */
			log_debug("network: CHECK: %s: %s", tool, strerror(-r));
			return NULL;
		}
	}
	return buf;
}
