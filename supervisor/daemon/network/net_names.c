#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/core/hosts.h"
#include "supervisor/daemon/network/resolv.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/strv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS_FILE_MAX (NAMES_MEMBERS_MAX * 256)

typedef struct member {
	char *id, *ip, *gateway, *hostname, *name;
	char *aliases; /* ','-separated; NULL: none (a record before aliases) */
} member;

typedef struct members {
	char *text; /* the file; members point into it */
	member *v;
	size_t n;
} members;

static void members_release(members *m)
{
	free(m->text);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

bool names_networked(const ctr_spec *s) { return s->network > CTR_NET_LOOPBACK || s->session_dns; }



static int write_hosts(const char *dir, const hosts_in *in, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" HOSTS_FILE, dir);
	int r = hosts_render(in, &sb);
	if (r == -E2BIG) /* the peers past the bound are left out, and said so */
		log_warn("%s: more containers on the network than fit in %d bytes: some are left out", path, HOSTS_MAX);
	else if (r < 0)
		return cerr_set(err, -r, "%s: out of memory", path);
	return hosts_rewrite(path, sb.buf, sb.len, err);
}

static int write_resolv(const char *dir, const ctr_spec *s, cerr *err)
{
	_cleanup_free_ char *host = NULL;
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	int r = resolv_read_host(RESOLV_HOST, RESOLV_RESOLVED, &host, err);
	if (r < 0)
		return r;
	if (resolv_render(host, s->dns, &sb) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" RESOLV_FILE, dir);
	return write_file_atomic(path, sb.buf, sb.len, 0644, err);
}

int names_write_initial(corrald *d, const ctr *c, const char *dir, cerr *err)
{
	hosts_in in = { .hostname = ctr_hostname(d, c), .name = c->name, .extra = c->spec.extra_hosts };
	int r = write_hosts(dir, &in, err);
	if (r == 0 && names_networked(&c->spec))
		r = write_resolv(dir, &c->spec, err);
	return r;
}

static void members_path(const corrald *d, const char *net, char *buf, size_t n)
{
	snprintf(buf, n, "%s/networks/names/%s", d->cfg->state_dir, net);
}

/* Split a line into its five words and its aliases, when it has them;
 * false when it has not five or six. */
static bool split(char *line, member *m)
{
	char **w[] = { &m->id, &m->ip, &m->gateway, &m->hostname, &m->name };
	char *save = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (!(*w[i] = strtok_r(i ? NULL : line, " ", &save)))
			return false;
	m->aliases = strtok_r(NULL, " ", &save);
	return strtok_r(NULL, " ", &save) == NULL;
}

/* A member's names on the network: hostname, name (when another) and its
 * aliases, space-separated. */
static char *names_of(const member *m)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (sb_adds(&sb, m->hostname) < 0 || (!streq(m->hostname, m->name) && sb_addf(&sb, " %s", m->name) < 0))
		return NULL;
	for (const char *a = m->aliases; a && *a;) {
		size_t l = strcspn(a, ",");
		if (l && sb_addf(&sb, " %.*s", (int)l, a) < 0)
			return NULL;
		a += l + (a[l] == ',');
	}
	return sb_detach(&sb);
}

static int members_load(const char *path, members *m, cerr *err)
{
	size_t len;
	int r = read_file(path, MEMBERS_FILE_MAX, &m->text, &len, err);
	if (r == -ENOENT) {
		cerr_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	if (!(m->v = calloc(NAMES_MEMBERS_MAX + 1, sizeof(*m->v))))
		return cerr_set(err, ENOMEM, "out of memory");
	char *save = NULL;
	for (char *line = strtok_r(m->text, "\n", &save); line && m->n < NAMES_MEMBERS_MAX;
	     line = strtok_r(NULL, "\n", &save))
		if (split(line, &m->v[m->n]))
			m->n++;
	return 0;
}

static int members_save(const char *path, const members *m, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < m->n; i++)
		if (sb_addf(&sb, "%s %s %s %s %s%s%s\n", m->v[i].id, m->v[i].ip, m->v[i].gateway, m->v[i].hostname,
			    m->v[i].name, m->v[i].aliases ? " " : "", m->v[i].aliases ? m->v[i].aliases : "") < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	return write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 0600, err);
}

/* Rewrite member k's hosts file: the others are its peers. */
static int rewrite_one(corrald *d, const members *m, size_t k, cerr *err)
{
	ctr *c = ctr_find(d, m->v[k].id);
	if (!c)
		return 0; /* gone: its detach removes it from the list */
	_cleanup_free_ hosts_peer *peers = calloc(m->n ? m->n : 1, sizeof(*peers));
	_cleanup_strv_ char **names = calloc(m->n + 1, sizeof(char *));
	if (!peers || !names)
		return cerr_set(err, ENOMEM, "out of memory");
	size_t np = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (i == k)
			continue;
		if (!(names[np] = names_of(&m->v[i])))
			return cerr_set(err, ENOMEM, "out of memory");
		peers[np] = (hosts_peer){ m->v[i].ip, names[np] };
		np++;
	}
	hosts_in in = { .hostname = ctr_hostname(d, c), .name = c->name, .ip = m->v[k].ip,
			.gateway = streq(m->v[k].gateway, "-") ? NULL : m->v[k].gateway, .extra = c->spec.extra_hosts,
			.peers = peers, .n_peers = np };
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	return write_hosts(dir, &in, err);
}

/* A member's failure is logged, and the others are still made current. */
static void rewrite_all(corrald *d, const char *net, const members *m)
{
	for (size_t k = 0; k < m->n; k++) {
		_cleanup_cerr_ cerr e = { 0 };
		if (rewrite_one(d, m, k, &e) < 0)
			log_warn("network %s: hosts of %s: %s", net, m->v[k].id, cerr_msg(&e));
	}
}

int names_network_changed(corrald *d, const ctr *c, const char *net, char *const *aliases_v, const char *ip,
			  const char *gateway, bool removed, cerr *err)
{
	char path[PATH_MAX];
	members_path(d, net, path, sizeof(path));
	char *slash = strrchr(path, '/');
	*slash = '\0';
	int r = mkdir_p(path, 0700);
	*slash = '/';
	if (r < 0)
		return cerr_sys(err, -r, "%s", path);
	_cleanup_(members_release) members m = { 0 };
	if ((r = members_load(path, &m, err)) < 0)
		return r;
	_cleanup_free_ char *aliases = aliases_v && aliases_v[0] ? strv_join(aliases_v, ",") : NULL;
	if (aliases_v && aliases_v[0] && !aliases)
		return cerr_set(err, ENOMEM, "out of memory");
	if (!m.v && !(m.v = calloc(NAMES_MEMBERS_MAX + 1, sizeof(*m.v))))
		return cerr_set(err, ENOMEM, "out of memory");
	size_t w = 0;
	for (size_t i = 0; i < m.n; i++)
		if (!streq(m.v[i].id, c->id))
			m.v[w++] = m.v[i];
	m.n = w;
	if (!removed) {
		if (!ip || m.n >= NAMES_MEMBERS_MAX)
			return cerr_set(err, ip ? ENOSPC : EINVAL, "network %s: %s", net,
					ip ? "too many containers" : "no address");
		m.v[m.n++] = (member){ (char *)c->id, (char *)ip, (char *)(gateway ? gateway : "-"),
				       (char *)ctr_hostname(d, c), c->name, aliases };
	}
	if ((r = members_save(path, &m, err)) < 0)
		return r;
	rewrite_all(d, net, &m);
	/* its own file loses the network's names (a further network's go
	 * with the next rewrite of its first one's) */
	if (removed && c->spec.net_name && streq(net, c->spec.net_name)) {
		char dir[PATH_MAX];
		ctr_dir(d, c, dir, sizeof(dir));
		hosts_in in = { .hostname = ctr_hostname(d, c), .name = c->name, .extra = c->spec.extra_hosts };
		_cleanup_cerr_ cerr e = { 0 };
		if (write_hosts(dir, &in, &e) < 0 && e.code != ENOENT)
			log_warn("hosts of %s: %s", c->id, cerr_msg(&e));
	}
	return 0;
}

void names_prune(corrald *d, bool (*attached)(corrald *d, const char *id))
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/networks/names", d->cfg->state_dir);
	_cleanup_(closedirp) DIR *dh = opendir(dir);
	struct dirent *e;
	while (dh && (e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		_cleanup_(members_release) members m = { 0 };
		cerr err = { 0 };
		if (members_load(path, &m, &err) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "network %s: its names", e->d_name);
			continue;
		}
		size_t w = 0;
		for (size_t i = 0; i < m.n; i++)
			if (attached(d, m.v[i].id))
				m.v[w++] = m.v[i];
		if (w == m.n)
			continue;
		m.n = w;
		if (members_save(path, &m, &err) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "network %s: its names", e->d_name);
			continue;
		}
		rewrite_all(d, e->d_name, &m);
	}
}
