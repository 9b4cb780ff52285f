/* POST /containers/create: Docker's Config and HostConfig as corral's
 * ContainerSpec (the mounts in docker_ctr_mounts.c, the confinement in
 * docker_ctr_confine.c). What corral has no word for is refused or said
 * in Warnings (docker_ctr_unsupported.c), never silently half-done. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_networks.h"
#include "supervisor/docker/docker_ctr_create.h"
#include "supervisor/docker/docker_ctr_unsupported.h"
#include "supervisor/docker/docker_ctr_confine.h"
#include "supervisor/docker/docker_ctr_links.h"
#include "supervisor/docker/docker_ctr_resources.h"
#include "supervisor/docker/docker_ctr_mounts.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A Docker string list (strslice: a lone string is a list of one). */
static void copy_strings(yajl_gen g, const char *key, yajl_val v)
{
	if (YAJL_IS_STRING(v)) {
		jg_key(g, key);
		yajl_gen_array_open(g);
		jg_str(g, v->u.string);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		dk_gen_strings(g, key, v, false);
	}
}

static void copy_str(yajl_gen g, const char *key, yajl_val v)
{
	if (YAJL_IS_STRING(v) && *v->u.string)
		jg_key_str(g, key, v->u.string);
}

static void copy_true(yajl_gen g, const char *key, yajl_val v)
{
	if (YAJL_IS_TRUE(v))
		jg_key_bool(g, key, true);
}

/* Docker's [""] entrypoint is "none at all": corral's []. */
static void copy_entrypoint(yajl_gen g, yajl_val ep)
{
	if (YAJL_IS_ARRAY(ep) && ep->u.array.len == 1 && YAJL_IS_STRING(ep->u.array.values[0]) &&
	    !*ep->u.array.values[0]->u.string) {
		jg_key(g, "entrypoint");
		yajl_gen_array_open(g);
		yajl_gen_array_close(g);
	} else
		copy_strings(g, "entrypoint", ep);
}

/* HostConfig.ConsoleSize, [height, width] (a client of API 1.42 on sends
 * its terminal's): the terminal's size from the start; [0, 0] is none */
static void gen_console_size(yajl_gen g, yajl_val size)
{
	if (!YAJL_IS_ARRAY(size) || size->u.array.len != 2 || !YAJL_IS_INTEGER(size->u.array.values[0]) ||
	    !YAJL_IS_INTEGER(size->u.array.values[1]))
		return;
	long long h = YAJL_GET_INTEGER(size->u.array.values[0]), w = YAJL_GET_INTEGER(size->u.array.values[1]);
	if (h > 0 && w > 0) {
		jg_key(g, "consoleSize");
		jg_object(g, JG_INT("height", h), JG_INT("width", w), JG_END);
	}
}

static bool has_items(yajl_val v)
{
	return (YAJL_IS_ARRAY(v) && v->u.array.len) || (YAJL_IS_OBJECT(v) && v->u.object.len);
}

/* What dockerd refuses beside --network container: (its runconfig's
 * validateNetContainerMode), in its words; NULL: nothing */
static const char *net_container_conflict(yajl_val body, yajl_val hc)
{
	if (*dk_str(body, "Hostname"))
		return "conflicting options: hostname and the network mode";
	if (has_items(json_get(hc, "Links")))
		return "conflicting options: container type network can't be used with links. This would result in "
		       "undefined behavior";
	if (has_items(json_get(hc, "Dns")))
		return "conflicting options: dns and the network mode";
	if (has_items(json_get(hc, "ExtraHosts")))
		return "conflicting options: custom host-to-IP mapping and the network mode";
	if (has_items(json_get(hc, "PortBindings")) || dk_bool(hc, "PublishAllPorts"))
		return "conflicting options: port publishing and the container type network mode";
	if (has_items(json_get(body, "ExposedPorts")))
		return "conflicting options: port exposing and the container type network mode";
	if (*dk_str(body, "MacAddress"))
		return "conflicting options: mac-address and the network mode";
	return NULL;
}

/* A fixed address (docker run --ip, compose's ipv4_address): the
 * endpoint's of the container's own network (mode; "" for the default
 * one), which dockerd takes on a network made by the user only; one on a
 * further network (a connect's) is not corral's. */
static int gen_fixed_address(dk_req *r, yajl_gen g, yajl_val body, const char *mode)
{
	yajl_val eps = json_get(json_get(body, "NetworkingConfig"), "EndpointsConfig");
	bool own_default = !*mode || streq(mode, "default") || streq(mode, "bridge");
	for (size_t i = 0; YAJL_IS_OBJECT(eps) && i < eps->u.object.len; i++) {
		yajl_val ipam = json_get(eps->u.object.values[i], "IPAMConfig");
		const char *v4 = dk_str(ipam, "IPv4Address"), *v6 = dk_str(ipam, "IPv6Address");
		const char *net = eps->u.object.keys[i];
		if (!*v4 && !*v6)
			continue;
		if (own_default) {
			dk_error(r, 400, "user specified IP address is supported on user defined networks only");
			return -1;
		}
		if (!streq(net, mode) && eps->u.object.len > 1) {
			dk_error(r, 400, "a fixed address on network %s, not the container's own, is not supported by corral",
				 net);
			return -1;
		}
		if (*v4 && *v6) {
			dk_error(r, 400, "corral fixes one address on a network: IPv4Address or IPv6Address");
			return -1;
		}
		jg_key_str(g, "ipAddress", *v4 ? v4 : v6);
	}
	return 0;
}

/* "default" and "bridge" are corrald's default network: no word at all.
 * Another is a network's name, Id or Id prefix, as dockerd takes it;
 * container:REF another container's namespace, which corrald resolves. */
/* name: corral's network, or "" for the default or a container's */
static int gen_network(dk_req *r, yajl_gen g, yajl_val body, yajl_val hc, char *name, size_t n)
{
	const char *mode = dk_str(hc, "NetworkMode");
	*name = '\0';
	if (!*mode || streq(mode, "default") || streq(mode, "bridge"))
		return gen_fixed_address(r, g, body, mode);
	if (strncmp(mode, "container:", 10) == 0) {
		const char *conflict = mode[10] ? net_container_conflict(body, hc)
						: "invalid network mode: invalid container format container:<name|id>";
		if (conflict) {
			dk_error(r, 400, "%s", conflict);
			return -1;
		}
		jg_key_str(g, "network", mode);
		return 0;
	}
	if (dk_net_resolve(r, mode, name, n) < 0)
		return -1;
	jg_key_str(g, "network", name);
	return gen_fixed_address(r, g, body, mode);
}

/* One mapping of port key ("80/tcp"), to host port hp ("": a free one) */
static void gen_port(yajl_gen g, const char *key, const char *ip, const char *hp)
{
	const char *slash = strchr(key, '/');
	yajl_gen_map_open(g);
	jg_key_int(g, "containerPort", strtoll(key, NULL, 10));
	if (*hp)
		jg_key_int(g, "hostPort", strtoll(hp, NULL, 10));
	if (*ip)
		jg_key_str(g, "hostIP", ip);
	jg_key_str(g, "protocol", slash && streq(slash + 1, "udp") ? "udp" : "tcp");
	yajl_gen_map_close(g);
}

/* The ports of exposed ({"80/tcp": {}}) in neither pb nor done, each to a
 * free host port (docker run -P) */
static void gen_publish_all(yajl_gen g, yajl_val exposed, yajl_val pb, yajl_val done)
{
	for (size_t i = 0; YAJL_IS_OBJECT(exposed) && i < exposed->u.object.len; i++)
		if (!json_get(pb, exposed->u.object.keys[i]) && !json_get(done, exposed->u.object.keys[i]))
			gen_port(g, exposed->u.object.keys[i], "", "");
}

/* PortBindings: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}; with
 * PublishAllPorts, every port the body and the image expose besides */
static void gen_ports(yajl_gen g, yajl_val body, yajl_val hc, yajl_val img_cfg)
{
	yajl_val pb = json_get(hc, "PortBindings");
	yajl_val exposed = json_get(body, "ExposedPorts"), img_exposed = json_get(img_cfg, "exposedPorts");
	bool all = dk_bool(hc, "PublishAllPorts");
	size_t n = YAJL_IS_OBJECT(pb) ? pb->u.object.len : 0;
	if (!n && !all)
		return;
	jg_key(g, "ports");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_val binds = pb->u.object.values[i];
		for (size_t k = 0; k < (YAJL_IS_ARRAY(binds) ? binds->u.array.len : 1); k++) {
			yajl_val b = YAJL_IS_ARRAY(binds) ? binds->u.array.values[k] : NULL;
			gen_port(g, pb->u.object.keys[i], dk_str(b, "HostIp"), dk_str(b, "HostPort"));
		}
	}
	if (all) {
		gen_publish_all(g, exposed, pb, NULL);
		gen_publish_all(g, img_exposed, pb, exposed);
	}
	yajl_gen_array_close(g);
}

static void gen_duration(yajl_gen g, const char *key, long long ns)
{
	char d[32];
	if (ns <= 0)
		return;
	snprintf(d, sizeof(d), "%lldms", ns / 1000000);
	jg_key_str(g, key, d);
}

/* Test: ["NONE"], ["CMD", argv...] or ["CMD-SHELL", line]. */
static void gen_healthcheck(yajl_gen g, yajl_val hc)
{
	yajl_val test = json_get(hc, "Test");
	if (!YAJL_IS_ARRAY(test) || !test->u.array.len || !YAJL_IS_STRING(test->u.array.values[0]))
		return;
	const char *kind = test->u.array.values[0]->u.string;
	if (streq(kind, "NONE")) {
		jg_key_bool(g, "noHealthcheck", true);
		return;
	}
	if (!streq(kind, "CMD") && !streq(kind, "CMD-SHELL"))
		return;
	jg_key(g, "healthcheck");
	yajl_gen_map_open(g);
	jg_key(g, "command");
	yajl_gen_array_open(g);
	if (streq(kind, "CMD-SHELL"))
		jg_str(g, "/bin/sh"), jg_str(g, "-c");
	for (size_t i = 1; i < test->u.array.len; i++)
		if (YAJL_IS_STRING(test->u.array.values[i]))
			jg_str(g, test->u.array.values[i]->u.string);
	yajl_gen_array_close(g);
	gen_duration(g, "interval", dk_int(hc, "Interval", 0));
	gen_duration(g, "timeout", dk_int(hc, "Timeout", 0));
	gen_duration(g, "startPeriod", dk_int(hc, "StartPeriod", 0));
	if (dk_int(hc, "Retries", 0) > 0)
		jg_key_int(g, "retries", dk_int(hc, "Retries", 0));
	yajl_gen_map_close(g);
}

/* The names it has on its network besides its own (compose's service
 * name): each endpoint's Aliases, as corral attaches one network */
static void gen_aliases(yajl_gen g, yajl_val eps)
{
	bool any = false;
	for (size_t i = 0; YAJL_IS_OBJECT(eps) && i < eps->u.object.len; i++) {
		yajl_val al = json_get(eps->u.object.values[i], "Aliases");
		for (size_t k = 0; YAJL_IS_ARRAY(al) && k < al->u.array.len; k++) {
			if (!YAJL_IS_STRING(al->u.array.values[k]))
				continue;
			if (!any)
				jg_key(g, "networkAliases"), yajl_gen_array_open(g);
			any = true;
			jg_str(g, al->u.array.values[k]->u.string);
		}
	}
	if (any)
		yajl_gen_array_close(g);
}

/* The labels: the image's (of its config, img_cfg), with the body's over
 * them, as dockerd keeps a container's (ps, its label filter and inspect
 * show the image's too); but corrald's own, which an image's author does
 * not speak for (a member's create would be refused them). */
static void gen_labels(yajl_gen g, yajl_val body, yajl_val img_cfg)
{
	yajl_val mine = json_get(body, "Labels"), img = json_get(img_cfg, "labels");
	size_t n_img = YAJL_IS_OBJECT(img) ? img->u.object.len : 0;
	size_t n_mine = YAJL_IS_OBJECT(mine) ? mine->u.object.len : 0;
	if (n_img + n_mine) {
		jg_key(g, "labels");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < n_img; i++) {
			const char *k = img->u.object.keys[i];
			yajl_val v = img->u.object.values[i];
			if (YAJL_IS_STRING(v) && !json_get(mine, k) &&
			    strncmp(k, LABEL_RESERVED_PREFIX, strlen(LABEL_RESERVED_PREFIX)))
				jg_key_str(g, k, v->u.string);
		}
		for (size_t i = 0; i < n_mine; i++) {
			jg_key(g, mine->u.object.keys[i]);
			jg_value(g, mine->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	}
}

/* The image's config, as ImageInspect gives it: *rep to release when 1;
 * 0 when corrald cannot show the image (the create then says why) */
static int image_config(dk_req *r, yajl_val body, vl_reply *rep, yajl_val *cfg)
{
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_str(p, "image", dk_str(body, "Image"));
	_cleanup_free_ char *params = dk_params_end(p);
	_cleanup_cerr_ cerr err = { 0 };
	*cfg = NULL;
	if (!params || vl_client_call(r->vl, "io.corral.Supervisor.ImageInspect", params, rep, &err) < 0)
		return 0;
	*cfg = rep->error ? NULL : json_get(json_get(rep->params, "image"), "config");
	return 1;
}

/* An architecture as the image spec names it (Docker's platforms.Normalize,
 * for the names people write): the part of s up to '/', into out */
static const char *arch_word(const char *s, char *out, size_t n)
{
	snprintf(out, n, "%.*s", (int)strcspn(s, "/"), s);
	return streq(out, "x86_64") || streq(out, "x86-64") ? "amd64" : streq(out, "aarch64") ? "arm64" : out;
}

/* docker run --platform OS[/ARCH] (or ARCH alone) against the image's:
 * one that differs is not found, as Docker answers, and its client then
 * pulls the platform's image. true when r is answered. */
static bool platform_differs(dk_req *r, const char *image, yajl_val im)
{
	const char *want = dk_query(r, "platform");
	if (!want || !*want || !im)
		return false;
	const char *os = dk_str(im, "os"), *arch = dk_str(im, "architecture");
	char w_os[32], w_arch[32];
	const char *slash = strchr(want, '/');
	bool os_only = !slash && (streq(want, "linux") || streq(want, "windows") || streq(want, "darwin"));
	snprintf(w_os, sizeof(w_os), "%.*s", slash ? (int)(slash - want) : (int)strlen(want), want);
	const char *wa = slash ? arch_word(slash + 1, w_arch, sizeof(w_arch)) : os_only ? arch : arch_word(want, w_arch, sizeof(w_arch));
	if ((slash || os_only ? streq(w_os, os) : streq(os, "linux")) && streq(wa, arch))
		return false;
	dk_error(r, 404, "image with reference %s was found but does not match the specified platform: wanted %s, actual: %s/%s",
		 image, want, os, arch);
	return true;
}

/* The ContainerSpec's text, or NULL with r answered. */
static char *make_spec(dk_req *r, yajl_val body, const char *name, yajl_val img_cfg)
{
	yajl_val hc = json_get(body, "HostConfig");
	_cleanup_json_gen_ yajl_gen g = dk_params_id(NULL);
	jg_key(g, "spec");
	yajl_gen_map_open(g);
	jg_key_str(g, "image", dk_str(body, "Image"));
	if (name && *name)
		jg_key_str(g, "name", dk_ctr_name(name));
	copy_strings(g, "command", json_get(body, "Cmd"));
	copy_entrypoint(g, json_get(body, "Entrypoint"));
	copy_strings(g, "env", json_get(body, "Env"));
	copy_str(g, "workdir", json_get(body, "WorkingDir"));
	copy_str(g, "user", json_get(body, "User"));
	if (streq(dk_str(hc, "UTSMode"), "host") && *dk_str(body, "Hostname")) { /* dockerd's words */
		dk_error(r, 400, "conflicting options: hostname and the UTS mode");
		return NULL;
	}
	copy_str(g, "hostname", json_get(body, "Hostname"));
	copy_str(g, "macAddress", json_get(body, "MacAddress"));
	/* on another's network dockerd takes these, and they change nothing */
	bool joins = !strncmp(dk_str(hc, "NetworkMode"), "container:", 10);
	if (!joins)
		copy_str(g, "domainname", json_get(body, "Domainname"));
	copy_str(g, "stopSignal", json_get(body, "StopSignal"));
	if (YAJL_IS_INTEGER(json_get(body, "StopTimeout")))
		jg_key_int(g, "stopTimeout", dk_int(body, "StopTimeout", 10));
	gen_labels(g, body, img_cfg);
	copy_true(g, "tty", json_get(body, "Tty"));
	gen_console_size(g, json_get(hc, "ConsoleSize"));
	copy_true(g, "interactive", json_get(body, "OpenStdin"));
	copy_true(g, "stdinOnce", json_get(body, "StdinOnce"));
	gen_healthcheck(g, json_get(body, "Healthcheck"));
	char net[256];
	if (dk_create_mounts(r, g, hc, json_get(body, "Volumes")) < 0 || gen_network(r, g, body, hc, net, sizeof(net)) < 0 ||
	    dk_gen_confinement(r, g, hc) < 0 || dk_gen_extra_hosts(r, g, hc, *net ? net : NULL) < 0)
		return NULL;
	dk_create_tmpfs(g, hc);
	char restart[64];
	/* "no": corrald's default policy yields to none said */
	if (*dk_restart_text(json_get(hc, "RestartPolicy"), restart, sizeof(restart)) && !streq(restart, "no"))
		jg_key_str(g, "restart", restart);
	dk_gen_resources(g, hc);
	gen_ports(g, body, hc, img_cfg);
	copy_true(g, "autoRemove", json_get(hc, "AutoRemove"));
	copy_true(g, "privileged", json_get(hc, "Privileged"));
	copy_true(g, "init", json_get(hc, "Init"));
	copy_true(g, "readOnly", json_get(hc, "ReadonlyRootfs"));
	/* dockerd mounts nothing writable of its own on a read-only root */
	copy_true(g, "noReadOnlyTmpfs", json_get(hc, "ReadonlyRootfs"));
	copy_str(g, "userns", json_get(hc, "UsernsMode")); /* host, or corral's auto */
	copy_strings(g, "capAdd", json_get(hc, "CapAdd"));
	copy_strings(g, "capDrop", json_get(hc, "CapDrop"));
	if (has_items(json_get(hc, "Dns")))
		copy_strings(g, "dns", json_get(hc, "Dns"));
	if (has_items(json_get(hc, "DnsSearch")) && !joins)
		copy_strings(g, "dnsSearch", json_get(hc, "DnsSearch"));
	if (has_items(json_get(hc, "DnsOptions")) && !joins)
		copy_strings(g, "dnsOptions", json_get(hc, "DnsOptions"));
	copy_str(g, "cgroupParent", json_get(hc, "CgroupParent"));
	if (!joins)
		gen_aliases(g, json_get(json_get(body, "NetworkingConfig"), "EndpointsConfig"));
	yajl_gen_map_close(g);
	return dk_params_end(g);
}

void dk_ctr_create(dk_req *r, const char *arg)
{
	_cleanup_json_ yajl_val body = dk_body_json(r);
	if (!body)
		return;
	const char *image = dk_str(body, "Image");
	if (!*image) {
		dk_error(r, 400, "Config.Image is required");
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "Warnings");
	yajl_gen_array_open(g);
	if (dk_create_unsupported(r, body, g) < 0)
		return;
	yajl_gen_array_close(g);
	vl_reply img = { 0 };
	yajl_val img_cfg;
	bool inspected = image_config(r, body, &img, &img_cfg);
	if (inspected && !img.error && platform_differs(r, image, json_get(img.params, "image"))) {
		vl_reply_release(&img);
		return;
	}
	_cleanup_free_ char *params = make_spec(r, body, dk_query(r, "name"), img_cfg);
	if (inspected)
		vl_reply_release(&img);
	if (!params) {
		if (!r->resp)
			dk_error(r, 500, "out of memory");
		return;
	}
	vl_reply rep;
	if (dk_call_or_fail(r, "CreateContainer", params, image, &rep) < 0)
		return;
	jg_key_str(g, "Id", dk_str(rep.params, "id"));
	yajl_gen_map_close(g);
	dk_json(r, 201, g);
	vl_reply_release(&rep);
}
