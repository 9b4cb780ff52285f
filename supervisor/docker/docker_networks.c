/* Networks: corral's CNI networks by name, with corrald's id as their Id,
 * and host and none, the modes every container may ask for.
 * A request may name one by its name, its Id or a prefix of its Id, as
 * dockerd's do. Root's calls: corrald refuses a member's create and
 * remove (403). */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_networks.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_filters.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_prune.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <string.h>

/* A network name's longest, with room for any a client sends */
#define NAME_LEN 256
#define ID_LEN 64

/* A network's Id: corrald's id of a CNI network, and for the modes the
 * ids corrald's rule gives their names (SHA-256 of "corral network\n" and
 * the name), written here so that corral-docker hashes nothing. */
static const char *net_id_of(const char *name, yajl_val n)
{
	if (n)
		return dk_str(n, "id");
	return streq(name, "host")   ? "9f78db89eeb6361e6f097b18129866bd025ea2c7916cb0029a0e6967613d236d"
	       : streq(name, "none") ? "6f84bb1f1c4ca96f7d977f2558976d7ddc04e5a3374cd7acb6f47cac6dd258c7"
				     : "";
}

/* Whether s could be an Id or a prefix of one: 1 to 64 lowercase hex. */
static bool id_hex(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= ID_LEN && strspn(s, "0123456789abcdef") == n;
}

const char *dk_net_name(const char *arg) { return streq(arg, "bridge") ? "corral" : arg; }

/* Containers: the running ones attached to network net, by id, as Docker
 * lists its endpoints (the address with its prefix length) */
static void gen_containers(yajl_gen g, const char *net, yajl_val ctrs, uid_t viewer)
{
	char name[512];
	jg_key(g, "Containers");
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(ctrs) && i < ctrs->u.array.len; i++) {
		yajl_val c = ctrs->u.array.values[i], a = json_get(json_get(c, "networks"), net);
		if (!a || !*dk_str(a, "ipAddress"))
			continue;
		char addr[64], ip[80];
		long long prefix = dk_address(a, addr, sizeof(addr));
		snprintf(ip, sizeof(ip), "%s/%lld", addr, prefix);
		jg_key(g, dk_str(c, "id"));
		jg_object(g, JG_STR("Name", dk_owned_name(c, viewer, name, sizeof(name))), JG_STR("EndpointID", ""),
			     JG_STR("MacAddress", dk_str(a, "macAddress")), JG_STR("IPv4Address", ip),
			     JG_STR("IPv6Address", ""), JG_END);
	}
	yajl_gen_map_close(g);
}

/* One network in Docker's shape; ctrs: corrald's List, for inspect's
 * Containers (the list leaves it empty, as dockerd's does) */
static void gen_network(yajl_gen g, const char *name, const char *driver, yajl_val n, yajl_val ctrs, uid_t viewer)
{
	yajl_gen_map_open(g);
	jg_key_str(g, "Name", name);
	jg_key_str(g, "Id", net_id_of(name, n));
	jg_key_str(g, "Created", "0001-01-01T00:00:00Z");
	jg_key_str(g, "Scope", "local");
	jg_key_str(g, "Driver", driver);
	jg_key_bool(g, "EnableIPv6", false);
	jg_key(g, "IPAM");
	yajl_gen_map_open(g);
	jg_key_str(g, "Driver", "default");
	jg_key(g, "Options");
	yajl_gen_null(g);
	jg_key(g, "Config");
	yajl_gen_array_open(g);
	if (n)
		jg_object(g, JG_STR("Subnet", dk_str(n, "subnet")), JG_STR("Gateway", dk_str(n, "gateway")), JG_END);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	jg_key_bool(g, "Internal", dk_bool(n, "internal"));
	jg_key_bool(g, "Attachable", false);
	jg_key_bool(g, "Ingress", false);
	jg_key(g, "ConfigFrom");
	jg_object(g, JG_STR("Network", ""), JG_END);
	jg_key_bool(g, "ConfigOnly", false);
	gen_containers(g, dk_str(n, "name"), ctrs, viewer);
	dk_gen_object(g, "Options", NULL); /* none that a client could ask for */
	dk_gen_object(g, "Labels", NULL);
	yajl_gen_map_close(g);
}

/* host and none: modes, not CNI networks */
static const char *mode_driver(const char *name)
{
	return streq(name, "host") ? "host" : streq(name, "none") ? "null" : NULL;
}

int dk_net_resolve(dk_req *r, const char *arg, char *name, size_t n)
{
	snprintf(name, n, "%s", arg);
	if (!id_hex(arg)) /* no Id has other letters: a name, or none */
		return 0;
	vl_reply rep;
	if (dk_call_or_fail(r, "NetworkList", NULL, arg, &rep) < 0)
		return -1;
	yajl_val list = json_get(rep.params, "networks");
	size_t len = YAJL_IS_ARRAY(list) ? list->u.array.len : 0, prefixed = 0;
	bool named = false;
	char full[NAME_LEN] = "", first[NAME_LEN] = "";
	for (size_t i = 0; i < len + 2 && !named; i++) {
		yajl_val net = i < len ? list->u.array.values[i] : NULL;
		const char *nm = net ? dk_str(net, "name") : i == len ? "host" : "none", *id = net_id_of(nm, net);
		named = streq(nm, arg);
		if (streq(id, arg))
			snprintf(full, sizeof(full), "%s", nm);
		else if (strncmp(id, arg, strlen(arg)) == 0 && prefixed++ == 0)
			snprintf(first, sizeof(first), "%s", nm);
	}
	vl_reply_release(&rep);
	if (named)
		return 0;
	if (*full || prefixed == 1) {
		snprintf(name, n, "%s", *full ? full : first);
		return 0;
	}
	if (prefixed > 1) {
		dk_error(r, 404, "network %s is ambiguous (%zu matches found based on ID prefix)", arg, prefixed);
		return -1;
	}
	return 0; /* none: corrald says so, in the words it always has */
}

/* Every value of key that is given, one holds (Docker ORs a filter's
 * values): name is a part of the name, id the start of the Id, driver the
 * driver, type custom (the CNI networks) or builtin */
static bool net_match(yajl_val filters, const char *key, const char *name, const char *driver, yajl_val n)
{
	const char *f = dk_filter_value(filters, key, 0);
	if (!f)
		return true;
	const char *id = net_id_of(name, n);
	for (size_t i = 0; (f = dk_filter_value(filters, key, i)); i++) {
		if (streq(key, "name") && strstr(name, f))
			return true;
		if (streq(key, "id") && strncmp(id, f, strlen(f)) == 0)
			return true;
		if (streq(key, "driver") && streq(driver, f))
			return true;
		if (streq(key, "type") && streq(f, mode_driver(name) ? "builtin" : "custom"))
			return true;
	}
	return false;
}

static void gen_listed(yajl_gen g, yajl_val filters, const char *name, const char *driver, yajl_val n)
{
	static const char *const keys[] = { "name", "id", "driver", "type" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		if (!net_match(filters, keys[k], name, driver, n))
			return;
	gen_network(g, name, driver, n, NULL, 0);
}

/* corrald's networks in *rep, after the query's filters (those known) are
 * read into *filters; -1 with r answered */
static int list_networks(dk_req *r, const char *const *known, yajl_val *filters, vl_reply *rep)
{
	if (dk_filters(r, known, filters) < 0)
		return -1;
	return dk_call_or_fail(r, "NetworkList", NULL, "", rep);
}

void dk_net_list(dk_req *r, const char *arg)
{
	static const char *const known[] = { "name", "id", "driver", "type", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	vl_reply rep;
	if (list_networks(r, known, &filters, &rep) < 0)
		return;
	yajl_val list = json_get(rep.params, "networks");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
		gen_listed(g, filters, dk_str(list->u.array.values[i], "name"), "bridge", list->u.array.values[i]);
	gen_listed(g, filters, "host", "host", NULL);
	gen_listed(g, filters, "none", "null", NULL);
	yajl_gen_array_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}

static void inspect_named(dk_req *r, const char *arg)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (mode_driver(arg)) {
		gen_network(g, arg, mode_driver(arg), NULL, NULL, 0);
		dk_json(r, 200, g);
		return;
	}
	_cleanup_free_ char *params = dk_params_text("name", dk_net_name(arg));
	vl_reply rep;
	if (dk_call_or_fail(r, "NetworkInspect", params, arg, &rep) < 0)
		return;
	vl_reply list = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (vl_client_call(r->vl, "io.corral.Supervisor.List", "{}", &list, &err) < 0 || list.error)
		vl_reply_release(&list); /* the network shows, without its containers */
	gen_network(g, arg, "bridge", json_get(rep.params, "network"), json_get(list.params, "containers"), r->viewer);
	dk_json(r, 200, g);
	vl_reply_release(&list);
	vl_reply_release(&rep);
}

void dk_net_create(dk_req *r, const char *arg)
{
	_cleanup_json_ yajl_val body = dk_body_json(r);
	if (!body)
		return;
	const char *name = dk_str(body, "Name"), *driver = dk_str(body, "Driver");
	if (!*name) {
		dk_error(r, 400, "Name is required");
		return;
	}
	if (*driver && !streq(driver, "bridge")) {
		dk_error(r, 400, "corral's networks are bridges: driver %s is not supported", driver);
		return;
	}
	yajl_val cfg = json_get(json_get(body, "IPAM"), "Config");
	yajl_val first = YAJL_IS_ARRAY(cfg) && cfg->u.array.len ? cfg->u.array.values[0] : NULL;
	_cleanup_json_gen_ yajl_gen p = dk_params_of("name", name);
	if (*dk_str(first, "Subnet"))
		jg_key_str(p, "subnet", dk_str(first, "Subnet"));
	if (*dk_str(first, "Gateway"))
		jg_key_str(p, "gateway", dk_str(first, "Gateway"));
	if (dk_bool(body, "Internal"))
		jg_key_bool(p, "internal", true);
	_cleanup_free_ char *params = dk_params_end(p);
	vl_reply rep;
	if (dk_call(r, "NetworkCreate", params, &rep) < 0) {
		if (rep.error && strstr(rep.error, ".InvalidParameter") &&
		    streq(dk_str(rep.params, "parameter"), "name")) {
			dk_error(r, 409, "network with name %s already exists", name);
			vl_reply_release(&rep);
			return;
		}
		dk_fail(r, &rep, name);
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("Id", dk_str(json_get(rep.params, "network"), "id")), JG_STR("Warning", ""), JG_END);
	dk_json(r, 201, g);
	vl_reply_release(&rep);
}

static void remove_named(dk_req *r, const char *arg)
{
	if (mode_driver(arg)) {
		dk_error(r, 403, "%s is a pre-defined network and cannot be removed", arg);
		return;
	}
	_cleanup_free_ char *params = dk_params_text("name", dk_net_name(arg));
	vl_reply rep;
	if (dk_call(r, "NetworkRemove", params, &rep) < 0) {
		if (rep.error && strstr(rep.error, ".InvalidState")) {
			dk_error(r, 403, "error while removing network: network %s has active endpoints", arg);
			vl_reply_release(&rep);
			return;
		}
		dk_fail(r, &rep, arg);
		return;
	}
	vl_reply_release(&rep);
	dk_empty(r, 204);
}

/* The network mode of the body's Container; NULL with r answered when
 * there is no such container. */
static char *ctr_network(dk_req *r, yajl_val body)
{
	const char *ctr = dk_str(body, "Container");
	vl_reply rep;
	yajl_val c = dk_ctr_record(r, dk_ctr_name(ctr), &rep);
	if (!c)
		return NULL;
	char buf[128];
	char *mode = strdup(dk_network_mode(c, buf, sizeof(buf)));
	vl_reply_release(&rep);
	if (!mode)
		dk_error(r, 500, "out of memory");
	return mode;
}

static void call_empty(dk_req *r, const char *method, const char *params, const char *subject)
{
	vl_reply rep;
	if (!params) {
		dk_error(r, 500, "out of memory");
		return;
	}
	if (dk_call_or_fail(r, method, params, subject, &rep) < 0)
		return;
	vl_reply_release(&rep);
	dk_empty(r, 200);
}

/* A further network (NetworkConnect), with EndpointConfig's aliases. The
 * container's own network (its spec's, attached at each start) holds
 * already: docker-compose connects each container it made to it. */
static void connect_named(dk_req *r, const char *arg)
{
	_cleanup_json_ yajl_val body = dk_body_json(r);
	_cleanup_free_ char *mode = body ? ctr_network(r, body) : NULL;
	if (!mode)
		return;
	if (streq(mode, arg) || streq(mode, dk_net_name(arg))) {
		dk_empty(r, 200);
		return;
	}
	if (streq(mode, "host") || !strncmp(mode, "container:", 10)) { /* dockerd's words */
		dk_error(r, 400, "container sharing network namespace with another container or host cannot be connected "
				 "to any other network");
		return;
	}
	/* a fixed address is the container's own network's alone (spec.ipAddress) */
	yajl_val ipam = json_get(json_get(body, "EndpointConfig"), "IPAMConfig");
	if (*dk_str(ipam, "IPv4Address") || *dk_str(ipam, "IPv6Address")) {
		dk_error(r, 400, "a fixed address on network %s, not the container's own, is not supported by corral", arg);
		return;
	}
	const char *ctr = dk_str(body, "Container");
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_ctr_name(ctr));
	jg_key_str(p, "network", dk_net_name(arg));
	yajl_val al = json_get(json_get(body, "EndpointConfig"), "Aliases");
	if (YAJL_IS_ARRAY(al) && al->u.array.len) {
		jg_key(p, "aliases");
		yajl_gen_array_open(p);
		for (size_t i = 0; i < al->u.array.len; i++)
			if (YAJL_IS_STRING(al->u.array.values[i]))
				jg_str(p, al->u.array.values[i]->u.string);
		yajl_gen_array_close(p);
	}
	_cleanup_free_ char *params = dk_params_end(p);
	call_empty(r, "NetworkConnect", params, ctr);
}

/* ... and takes a further one away (NetworkDisconnect); never the own. */
static void disconnect_named(dk_req *r, const char *arg)
{
	_cleanup_json_ yajl_val body = dk_body_json(r);
	_cleanup_free_ char *mode = body ? ctr_network(r, body) : NULL;
	if (!mode)
		return;
	if (streq(mode, arg) || streq(mode, dk_net_name(arg))) {
		dk_error(r, 501,
			 "corral attaches a container to its first network (%s) at each start, and cannot take it away: "
			 "create it with NetworkMode none instead",
			 mode);
		return;
	}
	const char *ctr = dk_str(body, "Container");
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_ctr_name(ctr));
	jg_key_str(p, "network", dk_net_name(arg));
	if (dk_bool(body, "Force"))
		jg_key_bool(p, "force", true);
	_cleanup_free_ char *params = dk_params_end(p);
	call_empty(r, "NetworkDisconnect", params, ctr);
}

/* Each network but the default one that no container's spec names
 * (NetworkRemove refuses those: InvalidState), and only root's call
 * removes any (a member's is PermissionDenied: none). corral's networks
 * have no labels and no creation time: label=K matches none of them,
 * label!=K and until every one. */
void dk_net_prune(dk_req *r, const char *arg)
{
	static const char *const known[] = { "label", "label!", "until", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	vl_reply rep;
	if (list_networks(r, known, &filters, &rep) < 0)
		return;
	bool none = dk_filter_value(filters, "label", 0) != NULL;
	yajl_val list = json_get(rep.params, "networks");
	size_t n = YAJL_IS_ARRAY(list) ? list->u.array.len : 0, k = 0;
	_cleanup_free_ const char **gone = calloc(n + 1, sizeof(*gone)); /* names in rep, borrowed */
	for (size_t i = 0; gone && !none && i < n; i++) {
		const char *name = dk_str(list->u.array.values[i], "name");
		if (streq(name, "corral"))
			continue;
		_cleanup_free_ char *params = dk_params_text("name", name);
		vl_reply rm;
		_cleanup_cerr_ cerr err = { 0 };
		if (!params || vl_client_call(r->vl, "io.corral.Supervisor.NetworkRemove", params, &rm, &err) < 0)
			break; /* the connection went: what was removed is said */
		if (!rm.error)
			gone[k++] = name;
		vl_reply_release(&rm);
	}
	if (gone)
		dk_reply_pruned(r, "NetworksDeleted", gone, NULL, -1);
	else
		dk_error(r, 500, "out of memory");
	vl_reply_release(&rep);
}

/* A request for /networks/NAME: the handler gets the network NAME
 * resolves to (dk_net_resolve), unless r is answered already. */
static void on_network(dk_req *r, const char *given, void (*handler)(dk_req *r, const char *arg))
{
	char arg[NAME_LEN];
	if (dk_net_resolve(r, given, arg, sizeof(arg)) == 0)
		handler(r, arg);
}

void dk_net_inspect(dk_req *r, const char *given) { on_network(r, given, inspect_named); }
void dk_net_remove(dk_req *r, const char *given) { on_network(r, given, remove_named); }
void dk_net_connect(dk_req *r, const char *given) { on_network(r, given, connect_named); }
void dk_net_disconnect(dk_req *r, const char *given) { on_network(r, given, disconnect_named); }
