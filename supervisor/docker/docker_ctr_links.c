/* Docker's legacy links (--link NAME:ALIAS; docker-compose run sends one for
 * each container of the service and its dependencies): on a user-defined
 * network Docker makes ALIAS resolve to NAME's address for the linking
 * container alone, which a line of its /etc/hosts does. Its environment
 * variables (DB_PORT_5432_TCP...) are the default bridge's alone, and
 * corral has no default bridge of Docker's: they are not made. */
#include "supervisor/docker/docker_ctr_links.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <string.h>

/* "NAME:ALIAS" (each may have Docker's leading "/" or "/linker/"): one line */
static int gen_link(dk_req *r, yajl_gen g, const char *link, const char *network)
{
	const char *colon = strchr(link, ':');
	char name[256];
	/* whole, or refused: a name cut short could be another's id prefix */
	if (!*link || colon == link || strlen(link) >= sizeof(name)) {
		dk_error(r, 400, "invalid link \"%.64s\": must be NAME:ALIAS, at most %zu bytes", link, sizeof(name) - 1);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(colon ? (size_t)(colon - link) : strlen(link)), link);
	const char *alias = colon ? strrchr(colon + 1, '/') : NULL;
	alias = alias ? alias + 1 : colon ? colon + 1 : name + (name[0] == '/');
	const char *id = name + (name[0] == '/');
	_cleanup_free_ char *params = dk_params_text("id", id);
	vl_reply rep;
	if (dk_call(r, "Inspect", params, &rep) < 0) {
		/* dockerd's words, and a 400: a 404 would send the CLI to pull the image */
		if (rep.error && strstr(rep.error, "NoSuchContainer")) {
			vl_reply_release(&rep);
			dk_error(r, 400, "could not get container for %s: No such container: %s", id, id);
		} else {
			dk_fail(r, &rep, id);
		}
		return -1;
	}
	yajl_val c = json_get(rep.params, "container"), nets = json_get(c, "networks"), on = NULL;
	if (YAJL_IS_OBJECT(nets))
		on = network ? json_get(nets, network) : nets->u.object.len ? nets->u.object.values[0] : NULL;
	char ip[64] = "";
	if (on)
		dk_address(on, ip, sizeof(ip));
	vl_reply_release(&rep);
	if (!*ip) {
		dk_error(r, 400, "Cannot link to %s, as it does not belong to the network %s", name,
			 network ? network : "default");
		return -1;
	}
	char line[512];
	snprintf(line, sizeof(line), "%s:%s", alias, ip);
	jg_str(g, line);
	return 0;
}

int dk_gen_extra_hosts(dk_req *r, yajl_gen g, yajl_val hc, const char *network)
{
	yajl_val extra = json_get(hc, "ExtraHosts"), links = json_get(hc, "Links");
	size_t n_extra = YAJL_IS_ARRAY(extra) ? extra->u.array.len : 0, n_links = YAJL_IS_ARRAY(links) ? links->u.array.len : 0;
	if (!n_extra && !n_links)
		return 0;
	jg_key(g, "extraHosts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n_extra; i++)
		if (YAJL_IS_STRING(extra->u.array.values[i]))
			jg_str(g, extra->u.array.values[i]->u.string);
	for (size_t i = 0; i < n_links; i++)
		if (YAJL_IS_STRING(links->u.array.values[i]) && gen_link(r, g, links->u.array.values[i]->u.string, network) < 0)
			return -1;
	yajl_gen_array_close(g);
	return 0;
}
