/* containers/<id>/networks.json: the further networks (net_extra.h). */
#include "supervisor/daemon/network/net_extra.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/spec/spec_fields.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXTRAS_FILE "networks.json"
#define EXTRAS_FILE_MAX (64 * 1024)

static void path_of(const struct corrald *d, const ctr *c, char *buf, size_t n)
{
	ctr_dir(d, c, buf, n);
	snprintf(buf + strlen(buf), n - strlen(buf), "/" EXTRAS_FILE);
}

void net_extras_release(net_extras *x)
{
	for (size_t i = 0; i < x->n; i++)
		strv_free(x->v[i].aliases);
	free(x->v);
	memset(x, 0, sizeof(*x));
}

/* One entry as corrald wrote it; one that is not is left out. */
static bool entry_parse(yajl_val e, net_extra *out)
{
	const char *net = YAJL_GET_STRING(json_get(e, "network")), *ifn = YAJL_GET_STRING(json_get(e, "interface"));
	yajl_val al = json_get(e, "aliases");
	if (!net || !*net || strlen(net) > NAME_MAX || !ifn || !net_ifname_ok(ifn) || streq(ifn, NET_IFNAME))
		return false;
	memset(out, 0, sizeof(*out));
	snprintf(out->network, sizeof(out->network), "%s", net);
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifn);
	for (size_t i = 0; YAJL_IS_ARRAY(al) && i < al->u.array.len; i++) {
		const char *a = YAJL_GET_STRING(al->u.array.values[i]);
		char *copy = a && ctr_hostname_valid(a) && !strchr(a, ',') ? strdup(a) : NULL;
		if (copy && strv_push(&out->aliases, copy) < 0)
			free(copy);
	}
	return true;
}

int net_extras_load(const struct corrald *d, const ctr *c, net_extras *x, cerr *err)
{
	memset(x, 0, sizeof(*x));
	char path[PATH_MAX];
	path_of(d, c, path, sizeof(path));
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_free_ char *text = NULL;
	int r = read_file_if_there(AT_FDCWD, path, EXTRAS_FILE_MAX, &text, NULL, err);
	if (r < 0 || !text || (r = json_parse(text, path, &v, err)) < 0)
		return r;
	yajl_val a = json_get(v, "attachments");
	size_t n = YAJL_IS_ARRAY(a) ? a->u.array.len : 0;
	if (n > NET_ATTACH_MAX)
		n = NET_ATTACH_MAX;
	if (n && !(x->v = calloc(n, sizeof(*x->v))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (entry_parse(a->u.array.values[i], &x->v[x->n]))
			x->n++;
	return 0;
}

int net_extras_save(const struct corrald *d, const ctr *c, const net_extras *x, cerr *err)
{
	char path[PATH_MAX];
	path_of(d, c, path, sizeof(path));
	if (!x->n)
		return unlink(path) < 0 && errno != ENOENT ? cerr_sys(err, errno, "%s", path) : 0;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_gen_map_open(g);
	jg_key(g, "attachments");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < x->n; i++) {
		yajl_gen_map_open(g);
		jg_key_str(g, "network", x->v[i].network);
		jg_key_str(g, "interface", x->v[i].ifname);
		jg_key(g, "aliases");
		yajl_gen_array_open(g);
		for (char **a = x->v[i].aliases; a && *a; a++)
			jg_str(g, *a);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return jg_write_file(g, path, 0600, 0, err);
}

net_extra *net_extras_find(const net_extras *x, const char *net)
{
	for (size_t i = 0; i < x->n; i++)
		if (streq(x->v[i].network, net))
			return &x->v[i];
	return NULL;
}

static bool ifname_taken(const net_extras *x, const char *ifname)
{
	for (size_t i = 0; i < x->n; i++)
		if (streq(x->v[i].ifname, ifname))
			return true;
	return false;
}

int net_extras_add(const struct corrald *d, const ctr *c, net_extras *x, const char *net, char *const *aliases,
		   net_if_busy_fn busy, cerr *err)
{
	char ifname[16];
	int i = 1;
	for (; i < NET_ATTACH_MAX; i++) {
		snprintf(ifname, sizeof(ifname), "eth%d", i);
		if (!ifname_taken(x, ifname) && !busy(d, c->id, ifname))
			break;
	}
	if (i == NET_ATTACH_MAX)
		return cerr_set(err, ENOSPC, "container %s: at most %d networks", c->name, NET_ATTACH_MAX);
	net_extra *v = realloc(x->v, (x->n + 1) * sizeof(*v));
	if (!v)
		return cerr_set(err, ENOMEM, "out of memory");
	x->v = v;
	net_extra *e = &x->v[x->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->network, sizeof(e->network), "%s", net);
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	if (aliases && aliases[0] && !(e->aliases = strv_copy(aliases)))
		return cerr_set(err, ENOMEM, "out of memory");
	x->n++;
	return 0;
}

void net_extras_drop(net_extras *x, const char *net)
{
	net_extra *e = net_extras_find(x, net);
	if (!e)
		return;
	strv_free(e->aliases);
	memmove(e, e + 1, (size_t)(x->v + x->n - (e + 1)) * sizeof(*e));
	x->n--;
}
