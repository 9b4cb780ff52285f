/* A network's conflist, written and read back (netconf.h). */
#include "supervisor/daemon/network/netconf.h"
#include "supervisor/daemon/network/netconf_json.h"
#include "supervisor/daemon/network/cni.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGINS_MAX 32

static void gen_ipam(yajl_gen g, const netconf *nc, const char *data_dir)
{
	jg_key(g, "ipam");
	yajl_gen_map_open(g);
	jg_key_str(g, "type", "host-local");
	if (data_dir) /* corrald's leases are its own, under its state dir */
		jg_key_str(g, "dataDir", data_dir);
	/* internal: no route out; the gateway is in the result only */
	if (!nc->internal) {
		jg_key(g, "routes");
		yajl_gen_array_open(g);
		jg_object(g, JG_STR("dst", strchr(nc->subnet, ':') ? "::/0" : "0.0.0.0/0"), JG_END);
		yajl_gen_array_close(g);
	}
	jg_key(g, "ranges");
	yajl_gen_array_open(g);
	yajl_gen_array_open(g);
	jg_object(g, JG_STR("subnet", nc->subnet), JG_STR("gateway", nc->gateway), JG_END);
	yajl_gen_array_close(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

static void gen_plugin(yajl_gen g, const char *type, const char *cap)
{
	yajl_gen_map_open(g);
	jg_key_str(g, "type", type);
	if (cap) {
		jg_key(g, "capabilities");
		jg_object(g, JG_BOOL(cap, true), JG_END);
	}
	yajl_gen_map_close(g);
}

int netconf_render(const netconf *nc, const char *data_dir, strbuf *out)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	jg_key_str(g, "cniVersion", CNI_SPEC_VERSION);
	jg_key_str(g, "name", nc->name);
	jg_key(g, "plugins");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	jg_key_str(g, "type", "bridge");
	jg_key_str(g, "bridge", nc->bridge);
	/* internal: the bridge gets no address and nothing is masqueraded,
	 * so the containers reach each other and nothing else */
	jg_key_bool(g, "isGateway", !nc->internal);
	jg_key_bool(g, "ipMasq", !nc->internal);
	jg_key_bool(g, "hairpinMode", true);
	/* a frame whose source is not the container's own MAC is dropped:
	 * no container speaks as another, whatever capabilities it has */
	jg_key_bool(g, "macspoofchk", true);
	gen_ipam(g, nc, data_dir);
	yajl_gen_map_close(g);
	gen_plugin(g, "portmap", "portMappings");
	/* same-bridge: the firewall plugin's own isolation, so that one
	 * network's containers do not reach another's */
	jg_object(g, JG_STR("type", "firewall"), JG_STR("ingressPolicy", "same-bridge"), JG_END);
	gen_plugin(g, "tuning", NULL);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	size_t n;
	_cleanup_free_ char *text = jg_finish(g, &n);
	return text ? sb_add(out, text, n) : -ENOMEM;
}

static int copy_str(yajl_val v, char *buf, size_t n, const char *what, cerr *err)
{
	if (!YAJL_IS_STRING(v) || strlen(v->u.string) >= n)
		return cerr_set(err, EINVAL, "%s: missing, or not a short string", what);
	snprintf(buf, n, "%s", v->u.string);
	return 0;
}

int netconf_parse(const char *text, netconf *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse(text, "conflist", &v, err);
	if (r < 0)
		return r;
	yajl_val plugins = json_get(v, "plugins");
	if ((r = copy_str(json_get(v, "name"), out->name, sizeof(out->name), "name", err)) < 0)
		return r;
	if (!YAJL_IS_ARRAY(plugins) || plugins->u.array.len > PLUGINS_MAX)
		return cerr_set(err, EINVAL, "plugins: must be an array of at most %d", PLUGINS_MAX);
	for (size_t i = 0; i < plugins->u.array.len; i++) {
		yajl_val p = plugins->u.array.values[i], t = json_get(p, "type");
		if (!YAJL_IS_STRING(t) || !streq(t->u.string, "bridge"))
			continue;
		yajl_val ranges = json_get(json_get(p, "ipam"), "ranges");
		yajl_val set = YAJL_IS_ARRAY(ranges) && ranges->u.array.len ? ranges->u.array.values[0] : NULL;
		yajl_val range = YAJL_IS_ARRAY(set) && set->u.array.len ? set->u.array.values[0] : NULL;
		if ((r = copy_str(json_get(p, "bridge"), out->bridge, sizeof(out->bridge), "bridge", err)) < 0 ||
		    (r = copy_str(json_get(range, "subnet"), out->subnet, sizeof(out->subnet), "ipam subnet", err)) < 0)
			return r;
		if (json_get(range, "gateway"))
			(void)copy_str(json_get(range, "gateway"), out->gateway, sizeof(out->gateway), "gateway", NULL);
		out->internal = YAJL_IS_FALSE(json_get(p, "isGateway"));
		return 0;
	}
	return cerr_set(err, EINVAL, "plugins: no bridge plugin");
}
