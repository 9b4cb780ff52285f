/* A corral Container as a row of Docker's container list, and the parts
 * that the list and inspect share: ports, networks, mounts, status. */
#include "supervisor/shape/shape.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "supervisor/api/owned_name.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void dk_ctr_status_text(yajl_val c, char *buf, size_t n)
{
	yajl_val st = json_get(c, "state");
	const char *status = dk_str(st, "status");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char ago[64];
	if (streq(status, "running") || streq(status, "paused")) {
		dk_human_duration(now.tv_sec - dk_unix(dk_str(st, "startedAt")), ago, sizeof(ago));
		const char *health = dk_str(json_get(st, "health"), "status");
		const char *h = streq(health, "healthy")    ? " (healthy)"
				: streq(health, "unhealthy") ? " (unhealthy)"
				: streq(health, "starting")  ? " (health: starting)"
							     : "";
		snprintf(buf, n, "Up %s%s%s", ago, streq(status, "paused") ? " (Paused)" : "", h);
	} else if (streq(status, "exited") || streq(status, "restarting")) {
		long long fin = dk_unix(dk_str(st, "finishedAt"));
		dk_human_duration(now.tv_sec - fin, ago, sizeof(ago));
		snprintf(buf, n, "%s (%lld)%s%s%s", streq(status, "exited") ? "Exited" : "Restarting",
			 dk_int(st, "exitCode", 0), fin ? " " : "", fin ? ago : "", fin ? " ago" : "");
	} else if (streq(status, "removing"))
		snprintf(buf, n, "Removal In Progress");
	else
		snprintf(buf, n, "Created");
}

static void gen_command_line(yajl_gen g, yajl_val argv)
{
	char line[4096] = "";
	size_t used = 0;
	for (size_t i = 0; YAJL_IS_ARRAY(argv) && i < argv->u.array.len; i++) {
		yajl_val a = argv->u.array.values[i];
		if (!YAJL_IS_STRING(a))
			continue;
		int w = snprintf(line + used, sizeof(line) - used, "%s%s", used ? " " : "", a->u.string);
		if (w < 0 || (size_t)w >= sizeof(line) - used)
			break;
		used += (size_t)w;
	}
	jg_key_str(g, "Command", line);
}

static void gen_ports_list(yajl_gen g, yajl_val ports)
{
	jg_key(g, "Ports");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(ports) && i < ports->u.array.len; i++) {
		yajl_val p = ports->u.array.values[i];
		yajl_gen_map_open(g);
		const char *ip = dk_str(p, "hostIP");
		jg_key_str(g, "IP", *ip ? ip : "0.0.0.0");
		jg_key_int(g, "PrivatePort", dk_int(p, "containerPort", 0));
		if (dk_int(p, "hostPort", 0))
			jg_key_int(g, "PublicPort", dk_int(p, "hostPort", 0));
		const char *proto = dk_str(p, "protocol");
		jg_key_str(g, "Type", *proto ? proto : "tcp");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

long long dk_address(yajl_val a, char *ip, size_t n)
{
	snprintf(ip, n, "%s", dk_str(a, "ipAddress"));
	char *slash = strchr(ip, '/');
	if (!slash)
		return dk_int(a, "prefixLength", 0);
	*slash = '\0';
	return strtoll(slash + 1, NULL, 10);
}

void dk_gen_networks(yajl_gen g, yajl_val nets)
{
	jg_key(g, "Networks");
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(nets) && i < nets->u.object.len; i++) {
		yajl_val a = nets->u.object.values[i];
		char ip[64];
		long long prefix = dk_address(a, ip, sizeof(ip));
		jg_key(g, nets->u.object.keys[i]);
		yajl_gen_map_open(g);
		jg_key(g, "IPAMConfig");
		yajl_gen_null(g);
		jg_key(g, "Links");
		yajl_gen_null(g);
		jg_key(g, "Aliases");
		yajl_val al = json_get(a, "aliases");
		if (YAJL_IS_ARRAY(al))
			jg_value(g, al);
		else
			yajl_gen_null(g);
		jg_key_str(g, "NetworkID", dk_str(a, "networkId"));
		jg_key_str(g, "EndpointID", "");
		jg_key_str(g, "Gateway", dk_str(a, "gateway"));
		jg_key_str(g, "IPAddress", ip);
		jg_key_int(g, "IPPrefixLen", prefix);
		jg_key_str(g, "IPv6Gateway", "");
		jg_key_str(g, "GlobalIPv6Address", "");
		jg_key_int(g, "GlobalIPv6PrefixLen", 0);
		jg_key_str(g, "MacAddress", dk_str(a, "macAddress"));
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

const char *dk_owned_name(yajl_val v, uid_t viewer, char *buf, size_t n)
{
	return owned_name_shown(dk_str(v, "name"), (uid_t)dk_int(v, "owner", 0), viewer, buf, n);
}

void dk_gen_mounts(yajl_gen g, yajl_val c, uid_t viewer)
{
	yajl_val mounts = json_get(json_get(c, "config"), "mounts"), volumes = json_get(c, "volumes");
	jg_key(g, "Mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(mounts) && i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		bool ro = dk_bool(m, "readonly");
		const char *prop = dk_str(m, "propagation");
		if (streq(dk_str(m, "type"), "volume")) /* as made, in volumes */
			continue;
		jg_object(g, JG_STR("Type", "bind"), JG_STR("Source", dk_str(m, "source")),
			     JG_STR("Destination", dk_str(m, "destination")), JG_STR("Mode", ro ? "ro" : ""),
			     JG_BOOL("RW", !ro), JG_STR("Propagation", *prop ? prop : "rprivate"), JG_END);
	}
	for (size_t i = 0; YAJL_IS_ARRAY(volumes) && i < volumes->u.array.len; i++) {
		yajl_val v = volumes->u.array.values[i];
		bool ro = dk_bool(v, "readonly");
		char name[512];
		jg_object(g, JG_STR("Type", "volume"), JG_STR("Name", dk_owned_name(v, viewer, name, sizeof(name))),
			  JG_STR("Source", dk_str(v, "mountpoint")), JG_STR("Destination", dk_str(v, "destination")),
			  JG_STR("Driver", "local"), JG_STR("Mode", ro ? "ro" : ""), JG_BOOL("RW", !ro),
			  JG_STR("Propagation", ""), JG_END);
	}
	yajl_gen_array_close(g);
}

const char *dk_network_mode(yajl_val c, char *buf, size_t n)
{
	const char *net = dk_str(json_get(c, "config"), "network"), *joined = dk_str(c, "networkContainer");
	if (!strncmp(net, "container:", 10) && *joined) { /* by its id, as dockerd keeps it */
		snprintf(buf, n, "container:%s", joined);
		return buf;
	}
	return *net ? net : "none";
}

void dk_gen_ctr_sizes(yajl_gen g, yajl_val c, yajl_val image)
{
	long long rw = dk_int(c, "sizeRw", 0);
	jg_key_int(g, "SizeRw", rw);
	jg_key_int(g, "SizeRootFs", rw + dk_int(image, "size", 0));
}

/* Its image among images (ImageList's), by id */
static yajl_val image_in(yajl_val images, const char *id)
{
	for (size_t i = 0; YAJL_IS_ARRAY(images) && i < images->u.array.len; i++)
		if (streq(dk_str(images->u.array.values[i], "id"), id))
			return images->u.array.values[i];
	return NULL;
}

void dk_gen_ctr_summary(yajl_gen g, yajl_val c, uid_t viewer, yajl_val images)
{
	yajl_val cspec_json = json_get(c, "config"), st = json_get(c, "state");
	char name[512], status[128];
	name[0] = '/';
	dk_owned_name(c, viewer, name + 1, sizeof(name) - 1);
	dk_ctr_status_text(c, status, sizeof(status));
	const char *image = dk_str(cspec_json, "image");
	yajl_gen_map_open(g);
	jg_key_str(g, "Id", dk_str(c, "id"));
	jg_key_strv(g, "Names", (char *const[]){ name, NULL });
	jg_key_str(g, "Image", dk_familiar(*image ? image : dk_str(c, "image")));
	jg_key_str(g, "ImageID", dk_str(c, "imageDigest"));
	gen_command_line(g, json_get(c, "command"));
	jg_key_int(g, "Created", dk_unix(dk_str(c, "created")));
	gen_ports_list(g, json_get(c, "ports"));
	dk_gen_object(g, "Labels", json_get(c, "labels"));
	if (json_get(c, "sizeRw"))
		dk_gen_ctr_sizes(g, c, image_in(images, dk_str(c, "imageDigest")));
	jg_key_str(g, "State", dk_str(st, "status"));
	jg_key_str(g, "Status", status);
	char mode[128];
	jg_key(g, "HostConfig");
	jg_object(g, JG_STR("NetworkMode", dk_network_mode(c, mode, sizeof(mode))), JG_END);
	jg_key(g, "NetworkSettings");
	yajl_gen_map_open(g);
	dk_gen_networks(g, json_get(c, "networks"));
	yajl_gen_map_close(g);
	dk_gen_mounts(g, c, viewer);
	yajl_gen_map_close(g);
}
