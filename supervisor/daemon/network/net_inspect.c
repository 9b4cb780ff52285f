/* A container's attachments as Inspect shows them (net_inspect.h). */
#include "supervisor/daemon/network/net_inspect.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/net_extra.h"
#include "supervisor/daemon/network/net_id.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

static void gen_attachment(yajl_gen g, const char *path, const char *net, const net_extra *e)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	cni_summary s = { 0 };
	if (json_parse_file_at(AT_FDCWD, path, NET_CONFLIST_MAX * 2, &v, &err) < 0 && !e)
		return;
	cni_result_summary(json_get(v, "result"), &s);
	char id[NET_ID_LEN + 1] = "";
	_cleanup_cerr_ cerr iderr = { 0 };
	net_id(net, id, &iderr);
	jg_key(g, net);
	yajl_gen_map_open(g);
	jg_key_str(g, "networkId", id);
	jg_key_str(g, "interface", s.ifname[0] ? s.ifname : e ? e->ifname : NET_IFNAME);
	jg_key_str(g, "ipAddress", s.ip);
	jg_key_int(g, "prefixLength", s.prefix_len);
	jg_key_str(g, "macAddress", s.mac);
	jg_key_str(g, "gateway", s.gateway);
	if (e && e->aliases) {
		jg_key(g, "aliases");
		yajl_gen_array_open(g);
		for (char **a = e->aliases; *a; a++)
			jg_str(g, *a);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

/* eth0 while attached; the further ones always (no address while not) */
void net_gen_inspect(yajl_gen g, const struct corrald *d, const ctr *c)
{
	if (c->spec.network != CTR_NET_CNI || !d)
		return;
	char path[PATH_MAX];
	net_record_path(d, c, NULL, path, sizeof(path));
	_cleanup_(net_extras_release) net_extras x = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	(void)net_extras_load(d, c, &x, &err);
	if (access(path, F_OK) < 0 && !x.n)
		return;
	jg_key(g, "networks");
	yajl_gen_map_open(g);
	gen_attachment(g, path, c->spec.net_name, NULL);
	for (size_t i = 0; i < x.n; i++) {
		net_record_path(d, c, x.v[i].ifname, path, sizeof(path));
		gen_attachment(g, path, x.v[i].network, &x.v[i]);
	}
	yajl_gen_map_close(g);
}
