/* A network record (network.json, network-IF.json, or a pending copy): an
 * attachment's config and result as text, the ports it published and its
 * namespace; what a DEL or a CHECK needs, after a corrald restart too; and
 * where records and pins are. */
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int net_record_write(const char *path, const net_record_of *rec, cerr *err)
{
	_cleanup_json_ yajl_val cv = NULL, rv = NULL;
	int r;
	if ((r = json_parse(rec->conf, "network config", &cv, err)) < 0 ||
	    (rec->result && (r = json_parse(rec->result, "network result", &rv, err)) < 0))
		return r;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "network", rec->network) || jg_key_str(g, "interface", rec->ifname ? rec->ifname : NET_IFNAME) ||
	    jg_key_str(g, "netns", rec->netns) || cni_ports_gen(g, "portMappings", rec->ports, rec->n_ports) ||
	    jg_key(g, "config") || jg_value(g, cv) || jg_key(g, "result") ||
	    (rv ? jg_value(g, rv) : yajl_gen_null(g) != yajl_gen_status_ok) || yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	return jg_write_file(g, path, 0600, 0, err);
}

net_record_of net_record_of_ctr(const ctr *c, const char *pin, const char *conf, const char *result)
{
	return (net_record_of){ .network = c->spec.net_name, .netns = pin, .ports = c->spec.ports,
				.n_ports = c->spec.n_ports, .conf = conf, .result = result };
}

int net_record_read(const char *path, net_record *rec, cerr *err)
{
	memset(rec, 0, sizeof(*rec));
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, NET_CONFLIST_MAX * 2, &v, err);
	if (r < 0)
		return r;
	yajl_val cv = json_get(v, "config"), rv = json_get(v, "result"), pv = json_get(v, "portMappings");
	if (!cv || !rv)
		return cerr_set(err, EINVAL, "%s: config and result are required", path);
	cni_result_summary(rv, &rec->sum);
	/* records before more than one attachment hold eth0's */
	const char *net = YAJL_GET_STRING(json_get(v, "network")), *ifn = YAJL_GET_STRING(json_get(v, "interface")),
		   *ns = YAJL_GET_STRING(json_get(v, "netns"));
	snprintf(rec->network, sizeof(rec->network), "%s", net ? net : "");
	snprintf(rec->ifname, sizeof(rec->ifname), "%s", ifn && net_ifname_ok(ifn) ? ifn : NET_IFNAME);
	json_fault f = JSON_FAULT_CHAIN(err);
	if (pv && (r = cni_ports_parse(pv, "portMappings", &rec->ports, &rec->n_ports, &f)) < 0) {
		net_record_release(rec);
		return cerr_wrap(err, "%s", path);
	}
	_cleanup_json_gen_ yajl_gen g1 = json_gen_new(false), g2 = json_gen_new(false);
	if (!g1 || !g2 || jg_value(g1, cv) || !(rec->conf = jg_finish(g1, NULL)) ||
	    (!YAJL_IS_NULL(rv) && (jg_value(g2, rv) || !(rec->result = jg_finish(g2, NULL)))) ||
	    !(rec->netns = strdup(ns ? ns : ""))) {
		net_record_release(rec);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

void net_record_release(net_record *rec)
{
	free(rec->conf);
	free(rec->result);
	free(rec->netns);
	free(rec->ports);
	memset(rec, 0, sizeof(*rec));
}

void net_pin_path(const struct corrald *d, const char *id, char *buf, size_t n)
{
	snprintf(buf, n, "%s/networks/netns/%s", d->cfg->state_dir, id);
}

void net_pending_path(const struct corrald *d, const char *id, const char *ifname, char *buf, size_t n)
{
	/* read back from the last dot: a session's id may hold dots */
	bool bare = (!ifname || streq(ifname, NET_IFNAME)) && !strchr(id, '.');
	snprintf(buf, n, "%s/networks/pending/%s%s%s.json", d->cfg->state_dir, id, bare ? "" : ".",
		 bare ? "" : ifname ? ifname : NET_IFNAME);
}

/* networks/pending, made when its first record comes: 0 or -errno */
static int pending_dir(const char *pend, char *dir, size_t n)
{
	snprintf(dir, n, "%.*s", (int)(strrchr(pend, '/') - pend), pend);
	return mkdir_p(dir, 0700);
}

int net_record_set_aside(const char *path, const char *pend)
{
	char dir[PATH_MAX];
	int r = pending_dir(pend, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (rename(path, pend) < 0)
		return -errno;
	(void)fsync_dir(dir);
	return 0;
}

int net_record_write_pending(const char *pend, const net_record_of *rec, cerr *err)
{
	char dir[PATH_MAX];
	int r = pending_dir(pend, dir, sizeof(dir));
	if (r < 0)
		return cerr_set(err, -r, "%s: %s", dir, strerror(-r));
	return net_record_write(pend, rec, err);
}

bool net_ifname_ok(const char *ifname)
{
	char *end;
	if (strncmp(ifname, "eth", 3) || !ifname[3] || ifname[3] < '0' || ifname[3] > '9')
		return false;
	long n = strtol(ifname + 3, &end, 10);
	return !*end && n >= 0 && n < NET_ATTACH_MAX && (ifname[3] != '0' || !ifname[4]); /* no eth01 */
}

void net_record_path(const struct corrald *d, const ctr *c, const char *ifname, char *buf, size_t n)
{
	ctr_dir(d, c, buf, n);
	size_t l = strlen(buf);
	if (!ifname || streq(ifname, NET_IFNAME))
		snprintf(buf + l, n - l, "/" NET_FILE);
	else
		snprintf(buf + l, n - l, "/network-%s.json", ifname);
}
