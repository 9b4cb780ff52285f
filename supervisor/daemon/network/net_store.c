#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/netconf_json.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/network/cni.h"
#include "supervisor/daemon/network/cni_conf.h"
#include "supervisor/daemon/network/host_routes.h"
#include "supervisor/daemon/network/net_bridges.h"
#include "common/json.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUFFIX ".conflist"

static int path_of(const char *dir, const char *name, char *buf, size_t n, cerr *err)
{
	if (!net_name_valid(name))
		return cerr_set(err, EINVAL, "\"%s\" is not a network name", name);
	snprintf(buf, n, "%s/%s" SUFFIX, dir, name);
	return 0;
}

int net_store_get(const char *dir, const char *name, netconf *out, cerr *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = path_of(dir, name, path, sizeof(path), err);
	if (r < 0 || (r = read_file(path, NET_CONFLIST_MAX, &text, &len, err)) < 0)
		return r;
	if ((r = netconf_parse(text, out, err)) < 0)
		return cerr_wrap(err, "%s", path);
	if (!streq(out->name, name))
		return cerr_set(err, EINVAL, "%s: names network %s, not %s", path, out->name, name);
	return 0;
}

int net_store_list(const char *dir, netconf **out, size_t *n, cerr *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_(closedirp) DIR *dh = opendir(dir);
	if (!dh)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", dir);
	if (!(*out = calloc(NET_STORE_MAX, sizeof(**out))))
		return cerr_set(err, ENOMEM, "out of memory");
	struct dirent *e;
	while ((e = readdir(dh)) && *n < NET_STORE_MAX) {
		size_t len = strlen(e->d_name);
		if (len <= strlen(SUFFIX) || strcmp(e->d_name + len - strlen(SUFFIX), SUFFIX))
			continue;
		char name[NET_NAME_MAX + 1];
		if (len - strlen(SUFFIX) > NET_NAME_MAX)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - strlen(SUFFIX)), e->d_name);
		cerr e2 = { 0 };
		if (net_store_get(dir, name, &(*out)[*n], &e2) == 0)
			(*n)++;
		else
			log_cerr(LOG_LVL_WARN, &e2, "network %s left out", name);
	}
	qsort(*out, *n, sizeof(**out), (int (*)(const void *, const void *))strcmp); /* name is first */
	return 0;
}

int net_store_create(const char *dir, const char *data_dir, const netconf_req *req, netconf *out, const char **field,
		     cerr *err)
{
	_cleanup_free_ netconf *have = NULL;
	_cleanup_free_ net_cidr *routes = NULL;
	netconf_req picked = *req;
	picked.bridge_taken = net_bridge_name_taken; /* one a crash left, until the sweep at start */
	size_t n;
	*field = NULL;
	int r = net_store_list(dir, &have, &n, err);
	/* a subnet corrald picks is one the host does not use now */
	if (r == 0 && !req->subnet && (r = host_routes(&routes, &picked.n_avoid, err)) == 0)
		picked.avoid = routes;
	if (r < 0 || (r = netconf_plan(&picked, have, n, out, field, err)) < 0)
		return r;
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	char path[PATH_MAX];
	if (netconf_render(out, data_dir, &sb) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if ((r = mkdir_p(dir, 0755)) < 0)
		return cerr_sys(err, -r, "%s", dir);
	if (data_dir && (r = mkdir_p(data_dir, 0700)) < 0)
		return cerr_sys(err, -r, "%s", data_dir);
	snprintf(path, sizeof(path), "%s/%s" SUFFIX, dir, out->name);
	return write_file_atomic(path, sb.buf, sb.len, 0644, err);
}

int net_store_remove(const char *dir, const char *name, cerr *err)
{
	char path[PATH_MAX];
	int r = path_of(dir, name, path, sizeof(path), err);
	if (r < 0)
		return r;
	if (unlink(path) < 0)
		return errno == ENOENT ? -ENOENT : cerr_sys(err, errno, "%s", path);
	if ((r = fsync_dir(dir)) < 0)
		return cerr_sys(err, -r, "%s", dir);
	return 0;
}

int net_store_text(const char *dir, const char *name, char **text, cerr *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *t = NULL;
	size_t len;
	int r = path_of(dir, name, path, sizeof(path), err);
	if (r < 0)
		return r;
	if ((r = read_file(path, NET_CONFLIST_MAX, &t, &len, err)) == -ENOENT)
		return cerr_set(err, ENOENT, "network %s: no such network (no %s)", name, path);
	_cleanup_json_ yajl_val v = NULL;
	if (r < 0 || (r = cni_conflist_parse(t, path, &v, err)) < 0)
		return r;
	if (!streq(cni_list_name(v), name))
		return cerr_set(err, EINVAL, "%s: name: \"%s\", not \"%s\" as its file is named", path, cni_list_name(v),
				name);
	*text = TAKE_PTR(t);
	return 0;
}

void net_ipam_dir(const corrald *d, char *buf, size_t n)
{
	snprintf(buf, n, "%s/networks/ipam", d->cfg->state_dir);
}

int network_ensure_default(corrald *d, cerr *err)
{
	const char *dir = d->cfg->cni_config_dir;
	char ipam[PATH_MAX];
	net_ipam_dir(d, ipam, sizeof(ipam));
	netconf nc;
	int r = net_store_get(dir, NET_DEFAULT_NAME, &nc, err);
	if (r >= 0 || !cerr_forgive(err, ENOENT))
		return r;
	const netconf_req req = { .name = NET_DEFAULT_NAME, .wide = true, .bridge = NET_DEFAULT_BRIDGE };
	const char *field;
	if ((r = net_store_create(dir, ipam, &req, &nc, &field, err)) < 0)
		return cerr_wrap(err, "the default network %s", NET_DEFAULT_NAME);
	return 0;
}
