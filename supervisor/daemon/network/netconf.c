/* Network configs by name, and the default network made on first use. */
#include "supervisor/daemon/network/netconf.h"
#include "supervisor/daemon/network/cni.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_get.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *netconf_default(const char *ipam_dir)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return NULL;
	int r = yajl_gen_map_open(g) || jg_key_str(g, "cniVersion", CNI_SPEC_VERSION) || jg_key_str(g, "name", NET_DEFAULT) ||
		jg_key(g, "plugins") || yajl_gen_array_open(g);
	/* bridge, with host-local */
	r = r || yajl_gen_map_open(g) || jg_key_str(g, "type", "bridge") || jg_key_str(g, "bridge", NET_DEFAULT_BRIDGE) ||
	    jg_key_bool(g, "isGateway", true) || jg_key_bool(g, "ipMasq", true) || jg_key_bool(g, "hairpinMode", true) ||
	    jg_key(g, "ipam") || yajl_gen_map_open(g) || jg_key_str(g, "type", "host-local") ||
	    jg_key_str(g, "dataDir", ipam_dir) || jg_key(g, "routes") || yajl_gen_array_open(g) ||
	    yajl_gen_map_open(g) || jg_key_str(g, "dst", "0.0.0.0/0") || yajl_gen_map_close(g) ||
	    yajl_gen_array_close(g) || jg_key(g, "ranges") || yajl_gen_array_open(g) || yajl_gen_array_open(g) ||
	    yajl_gen_map_open(g) || jg_key_str(g, "subnet", NET_DEFAULT_SUBNET) ||
	    jg_key_str(g, "gateway", "10.88.0.1") || yajl_gen_map_close(g) || yajl_gen_array_close(g) ||
	    yajl_gen_array_close(g) || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	/* portmap, firewall, tuning */
	r = r || yajl_gen_map_open(g) || jg_key_str(g, "type", "portmap") || jg_key(g, "capabilities") ||
	    yajl_gen_map_open(g) || jg_key_bool(g, "portMappings", true) || yajl_gen_map_close(g) ||
	    yajl_gen_map_close(g);
	r = r || yajl_gen_map_open(g) || jg_key_str(g, "type", "firewall") || yajl_gen_map_close(g);
	r = r || yajl_gen_map_open(g) || jg_key_str(g, "type", "tuning") || yajl_gen_map_close(g);
	r = r || yajl_gen_array_close(g) || yajl_gen_map_close(g);
	return r ? NULL : jg_finish(g, NULL);
}

static int write_default(const char *conf_dir, const char *state_dir, const char *path, cerr *err)
{
	char ipam[PATH_MAX];
	snprintf(ipam, sizeof(ipam), "%s/networks/ipam", state_dir);
	if (mkdir_p(conf_dir, 0755) < 0)
		return cerr_sys(err, errno, "%s", conf_dir);
	if (mkdir_p(ipam, 0700) < 0)
		return cerr_sys(err, errno, "%s", ipam);
	_cleanup_free_ char *text = netconf_default(ipam);
	if (!text)
		return cerr_set(err, ENOMEM, "out of memory");
	return write_file_atomic(path, text, strlen(text), 0644, err);
}

int netconf_load(const char *conf_dir, const char *state_dir, const char *name, char **text, cerr *err)
{
	char path[PATH_MAX];
	if (!*name || strchr(name, '/') || name[0] == '.' ||
	    snprintf(path, sizeof(path), "%s/%s.conflist", conf_dir, name) >= (int)sizeof(path))
		return cerr_set(err, EINVAL, "network \"%s\": not a network name", name);
	_cleanup_free_ char *t = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, NET_MAX_CONF, &t, &len, err);
	if (r == -ENOENT && streq(name, NET_DEFAULT)) {
		cerr_clear(err);
		if ((r = write_default(conf_dir, state_dir, path, err)) < 0)
			return cerr_wrap(err, "network %s", name);
		r = read_file_at(AT_FDCWD, path, NET_MAX_CONF, &t, &len, err);
	}
	if (r == -ENOENT) {
		cerr_clear(err);
		return cerr_set(err, ENOENT, "network %s: no such network (no %s)", name, path);
	}
	if (r < 0)
		return r;
	_cleanup_json_ yajl_val v = NULL;
	if ((r = cni_conflist_parse(t, path, &v, err)) < 0)
		return r;
	if (!streq(cni_list_name(v), name))
		return cerr_set(err, EINVAL, "%s: name: \"%s\", not \"%s\" as its file is named", path, cni_list_name(v), name);
	*text = TAKE_PTR(t);
	return 0;
}
