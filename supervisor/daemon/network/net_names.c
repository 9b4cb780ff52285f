#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/netfiles/hosts.h"
#include "supervisor/daemon/network/resolv.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS_FILE_MAX (NAMES_MEMBERS_MAX * 256)

typedef struct net_entry {
	char *id, *ip, *gateway, *hostname, *name;
	char *aliases; /* ','-separated; NULL: none (a record before aliases) */
	const ctr *peer; /* its container, found once by all_nets_load */
} net_entry;

typedef struct net_entries {
	char *text; /* the file; entries point into it */
	net_entry *v;
	size_t n;
} net_entries;

static void entries_release(net_entries *m)
{
	free(m->text);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

bool names_gets_resolv(const ctr_spec *s)
{
	return s->network > CTR_NET_LOOPBACK || s->session_dns || s->dns || s->dns_search || s->dns_options;
}



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
	if (resolv_render(host, s->dns, s->dns_search, s->dns_options, &sb) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" RESOLV_FILE, dir);
	return write_file_atomic(path, sb.buf, sb.len, 0644, err);
}

int names_write_initial(corrald *d, const ctr *c, const char *dir, cerr *err)
{
	hosts_in in = { .hostname = ctr_hostname(d, c), .name = c->name, .extra = c->spec.extra_hosts };
	int r = write_hosts(dir, &in, err);
	if (r == 0 && names_gets_resolv(&c->spec))
		r = write_resolv(dir, &c->spec, err);
	return r;
}

static void entries_path(const corrald *d, const char *net, char *buf, size_t n)
{
	snprintf(buf, n, "%s/networks/names/%s", d->cfg->state_dir, net);
}

/* Split a line into its five words and its aliases, when it has them;
 * false when it has not five or six. */
static bool split(char *line, net_entry *m)
{
	char **w[] = { &m->id, &m->ip, &m->gateway, &m->hostname, &m->name };
	char *save = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (!(*w[i] = strtok_r(i ? NULL : line, " ", &save)))
			return false;
	m->aliases = strtok_r(NULL, " ", &save);
	return strtok_r(NULL, " ", &save) == NULL;
}

static int entries_load(const char *path, net_entries *m, cerr *err)
{
	size_t len;
	int r = read_file_if_there(AT_FDCWD, path, MEMBERS_FILE_MAX, &m->text, &len, err);
	if (r < 0 || !m->text)
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

static int entries_save(const char *path, const net_entries *m, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < m->n; i++)
		if (sb_addf(&sb, "%s %s %s %s %s%s%s\n", m->v[i].id, m->v[i].ip, m->v[i].gateway, m->v[i].hostname,
			    m->v[i].name, m->v[i].aliases ? " " : "", m->v[i].aliases ? m->v[i].aliases : "") < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	return write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 0600, err);
}

/* Every network's entries (names/<network>), by network name: a hosts
 * file is made from all the networks its container is on. */
typedef struct all_nets {
	char **name;
	net_entries *m;
	size_t n;
} all_nets;

static void all_nets_release(all_nets *a)
{
	for (size_t i = 0; a->m && i < a->n; i++)
		entries_release(&a->m[i]);
	free(a->m);
	strv_free(a->name);
	memset(a, 0, sizeof(*a));
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A network whose list cannot be read is logged and counts as empty. */
static int all_nets_load(corrald *d, all_nets *a, cerr *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/networks/names", d->cfg->state_dir);
	_cleanup_(closedirp) DIR *dh = opendir(dir);
	if (!dh)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", dir);
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.")) /* a save under way */
			continue;
		char *s = strdup(e->d_name);
		if (!s || strv_push(&a->name, s) < 0) {
			free(s);
			return cerr_set(err, ENOMEM, "out of memory");
		}
		a->n++;
	}
	if (a->n)
		qsort(a->name, a->n, sizeof(char *), cmp_name);
	if (!(a->m = calloc(a->n + 1, sizeof(*a->m))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < a->n; i++) {
		char path[PATH_MAX];
		cerr e2 = { 0 };
		entries_path(d, a->name[i], path, sizeof(path));
		if (entries_load(path, &a->m[i], &e2) < 0) {
			log_cerr(LOG_LVL_WARN, &e2, "network %s: its names", a->name[i]);
			entries_release(&a->m[i]);
		}
		for (size_t k = 0; k < a->m[i].n; k++)
			a->m[i].v[k].peer = ctr_by_id(d, a->m[i].v[k].id);
	}
	return 0;
}

static const net_entry *entry_of(const net_entries *m, const char *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (streq(m->v[i].id, id))
			return &m->v[i];
	return NULL;
}

typedef struct word {
	const char *s;
	size_t len;
} word;

/* The names a hosts file has given so far: each goes on one line only. */
typedef struct seen {
	word *v;
	size_t n, cap;
} seen;

static void seen_release(seen *sn) { free(sn->v); }

/* Add the word s (len bytes) to line, unless a line before has it (sn
 * NULL: no check, for a file drawn from one network, whose words are each
 * a container's own: the check is quadratic in the peers) */
static int add_word(strbuf *line, seen *sn, const char *s, size_t len)
{
	if (!sn)
		return len ? sb_addf(line, "%s%.*s", line->len ? " " : "", (int)len, s) : 0;
	for (size_t i = 0; i < sn->n; i++)
		if (sn->v[i].len == len && memcmp(sn->v[i].s, s, len) == 0)
			return 0;
	if (!len)
		return 0;
	if (sn->n == sn->cap) {
		size_t cap = sn->cap ? 2 * sn->cap : 64;
		word *v = realloc(sn->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		sn->v = v;
		sn->cap = cap;
	}
	sn->v[sn->n++] = (word){ s, len };
	return sb_addf(line, "%s%.*s", line->len ? " " : "", (int)len, s);
}

/* A peer's names on one network, those not given already: hostname,
 * name and its aliases there; NULL when none is left (*nomem on failure). */
static char *peer_names(const net_entry *m, seen *sn, bool *nomem)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	/* its name as it is now (Rename changes it); its hostname when it is
	 * not the name it had (a renamed one's old name is no longer its) */
	const char *name = m->peer ? m->peer->name : m->name;
	bool hostname = !m->peer || m->peer->spec.hostname || !streq(m->hostname, m->name);
	*nomem = (hostname && add_word(&sb, sn, m->hostname, strlen(m->hostname)) < 0) ||
		 (!(hostname && streq(name, m->hostname)) && add_word(&sb, sn, name, strlen(name)) < 0);
	for (const char *a = m->aliases; !*nomem && a && *a;) {
		size_t l = strcspn(a, ",");
		*nomem = add_word(&sb, sn, a, l) < 0;
		a += l + (a[l] == ',');
	}
	return !*nomem && sb.len ? sb_detach(&sb) : NULL;
}

/* Whether c's hosts file lists the container of entry m: one of its own
 * owner's. A name is its owner's word: a member's hostname or alias (db,
 * pypi.org) in root's file, which comes before DNS, would take root's
 * traffic; and root's names are not a member's to see. */
static bool lists(const ctr *c, const net_entry *m)
{
	return m->peer && m->peer != c && m->peer->owner == c->owner;
}

/* Rewrite c's hosts file from every network it is on: its own (eth0's)
 * first, then the further ones by name. A peer of its owner's (lists) is
 * listed with its address on each network they share, under its names and
 * aliases there; a name that two shared networks give is listed once,
 * with the first network's address: the one c reaches it by through its
 * first interface, and the same one at every rewrite. c's own address is
 * its first network's. On no network, it has no address (as at Create). */
static int rewrite_one(corrald *d, const all_nets *a, const ctr *c, cerr *err)
{
	_cleanup_free_ size_t *order = calloc(a->n + 1, sizeof(*order));
	size_t no = 0, total = 0;
	if (!order)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < a->n; i++)
		if (c->spec.net_name && streq(a->name[i], c->spec.net_name) && entry_of(&a->m[i], c->id))
			order[no++] = i;
	for (size_t i = 0; i < a->n; i++)
		if (!(c->spec.net_name && streq(a->name[i], c->spec.net_name)) && entry_of(&a->m[i], c->id))
			order[no++] = i;
	for (size_t k = 0; k < no; k++)
		total += a->m[order[k]].n;
	_cleanup_free_ hosts_peer *peers = calloc(total + 1, sizeof(*peers));
	_cleanup_strv_ char **lines = calloc(total + 1, sizeof(char *));
	_cleanup_(seen_release) seen sn = { 0 };
	if (!peers || !lines)
		return cerr_set(err, ENOMEM, "out of memory");
	size_t np = 0;
	bool nomem = false;
	for (size_t k = 0; k < no && !nomem; k++) {
		const net_entries *m = &a->m[order[k]];
		for (size_t i = 0; i < m->n && !nomem; i++) {
			if (!lists(c, &m->v[i]))
				continue;
			if ((lines[np] = peer_names(&m->v[i], no > 1 ? &sn : NULL, &nomem))) {
				peers[np] = (hosts_peer){ m->v[i].ip, lines[np] };
				np++;
			}
		}
	}
	if (nomem)
		return cerr_set(err, ENOMEM, "out of memory");
	const net_entry *own = no ? entry_of(&a->m[order[0]], c->id) : NULL;
	/* its hostname as it was when it joined (its UTS namespace's, which a
	 * Rename does not change) */
	hosts_in in = { .hostname = own ? own->hostname : ctr_hostname(d, c), .name = c->name, .ip = own ? own->ip : NULL,
			.gateway = own && !streq(own->gateway, "-") ? own->gateway : NULL,
			.extra = c->spec.extra_hosts, .peers = peers, .n_peers = np };
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	return write_hosts(dir, &in, err);
}

/* Rewrite the hosts file of each container of m (of owner's alone, when
 * owner is not NULL: the others do not list its containers). One's
 * failure is logged, and the others are still made current. */
static void rewrite_all(corrald *d, const all_nets *a, const char *net, const net_entries *m, const uid_t *owner)
{
	for (size_t k = 0; k < m->n; k++) {
		_cleanup_cerr_ cerr e = { 0 };
		ctr *c = ctr_by_id(d, m->v[k].id);
		if (!c || (owner && c->owner != *owner))
			continue;
		if (rewrite_one(d, a, c, &e) < 0) /* a gone one's detach takes it out */
			log_warn("network %s: hosts of %s: %s", net, m->v[k].id, cerr_msg(&e));
	}
}

int names_network_changed(corrald *d, const ctr *c, const char *net, char *const *aliases_v, const char *ip,
			  const char *gateway, bool removed, cerr *err)
{
	char path[PATH_MAX];
	entries_path(d, net, path, sizeof(path));
	char *slash = strrchr(path, '/');
	*slash = '\0';
	int r = mkdir_p(path, 0700);
	*slash = '/';
	if (r < 0)
		return cerr_sys(err, -r, "%s", path);
	_cleanup_(entries_release) net_entries m = { 0 };
	if ((r = entries_load(path, &m, err)) < 0)
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
		m.v[m.n++] = (net_entry){ (char *)c->id, (char *)ip, (char *)(gateway ? gateway : "-"),
				       (char *)ctr_hostname(d, c), c->name, aliases, c };
	}
	if ((r = entries_save(path, &m, err)) < 0)
		return r;
	/* the files of c's owner's containers there, c's with them; c's own
	 * too when it left: it keeps the names of the networks it is still on */
	_cleanup_(all_nets_release) all_nets all = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (all_nets_load(d, &all, &e) < 0) {
		log_warn("network %s: the hosts files: %s", net, cerr_msg(&e));
		return 0;
	}
	rewrite_all(d, &all, net, &m, &c->owner);
	if (removed && rewrite_one(d, &all, c, &e) < 0 && e.code != ENOENT) /* ENOENT: c is being removed */
		log_warn("hosts of %s: %s", c->id, cerr_msg(&e));
	return 0;
}

void names_renamed(corrald *d, const ctr *c)
{
	_cleanup_(all_nets_release) all_nets all = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (all_nets_load(d, &all, &e) < 0) {
		log_warn("container %s: the hosts files after its rename: %s", c->id, cerr_msg(&e));
		return;
	}
	for (size_t i = 0; i < all.n; i++)
		if (entry_of(&all.m[i], c->id))
			rewrite_all(d, &all, all.name[i], &all.m[i], &c->owner);
}

void names_prune(corrald *d, bool (*attached)(corrald *d, const char *id))
{
	_cleanup_strv_ char **changed = NULL;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/networks/names", d->cfg->state_dir);
	_cleanup_(closedirp) DIR *dh = opendir(dir);
	struct dirent *e;
	while (dh && (e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		_cleanup_(entries_release) net_entries m = { 0 };
		cerr err = { 0 };
		if (entries_load(path, &m, &err) < 0) {
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
		if (entries_save(path, &m, &err) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "network %s: its names", e->d_name);
			continue;
		}
		char *name = strdup(e->d_name);
		if (!name || strv_push(&changed, name) < 0)
			free(name); /* its containers' files wait for their next change */
	}
	/* once every list is pruned: a container's file is made from them all */
	_cleanup_(all_nets_release) all_nets all = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (changed && all_nets_load(d, &all, &err) < 0) {
		log_warn("the hosts files: %s", cerr_msg(&err));
		return;
	}
	for (size_t i = 0; changed && changed[i]; i++)
		for (size_t k = 0; k < all.n; k++)
			if (streq(all.name[k], changed[i]))
				rewrite_all(d, &all, changed[i], &all.m[k], NULL);
}
