/* The workloads corrald keeps: their model, and <state>/workloads/<name>.json,
 * one file a workload ({"workload": canonical, "uid", "gid", "applied",
 * "generation"}), written atomically on every apply; read back at start. */
#include "supervisor/api/owned_name.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/workloads/workload.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WL_FILE_MODE 0600

workload *wl_find(wl_table *t, uid_t owner, const char *name)
{
	for (workload *w = t->list; w; w = w->next)
		if (w->peer.uid == owner && streq(w->name, name))
			return w;
	return NULL;
}

workload *wl_for(wl_table *t, uid_t viewer, const char *ref)
{
	uid_t owner;
	char name[KUBE_NAME_MAX + 1];
	return owned_name_parse(ref, viewer, &owner, name, sizeof(name)) ? wl_find(t, owner, name) : NULL;
}

const char *wl_shown(const workload *w, const char *name, const peer_cred *viewer, char *buf, size_t n)
{
	return owned_name_shown(name, w->peer.uid, viewer->uid, buf, n);
}

bool wl_visible_to(const workload *w, const peer_cred *peer)
{
	return owner_may(peer, w->peer.uid);
}

void wl_free(workload *w)
{
	if (!w)
		return;
	free(w->name);
	free(w->kind);
	free(w->json);
	if (w->tree)
		yajl_tree_free(w->tree);
	free(w);
}

/* The template's hash: sha256 of its canonical text, the first
 * WL_HASH_LEN hex digits. */
static int template_hash(yajl_val tmpl, char out[WL_HASH_LEN + 1])
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *text = g && !jg_value(g, tmpl) ? jg_finish(g, NULL) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!text || !EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL))
		return -ENOMEM;
	for (unsigned i = 0; i < WL_HASH_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

workload *wl_new(const char *json, const peer_cred *peer, cerr *err)
{
	workload *w = calloc(1, sizeof(*w));
	if (!w || !(w->json = strdup(json))) {
		free(w);
		cerr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	w->peer = *peer;
	const char *name, *kind;
	long long replicas;
	yajl_val tmpl;
	if (json_parse(json, "a workload", &w->tree, err) < 0)
		goto fail;
	name = wl_str(w->tree, "name");
	kind = wl_str(w->tree, "kind");
	yajl_val r = json_get(w->tree, "replicas");
	tmpl = json_get(w->tree, "template");
	w->containers = json_get(tmpl, "containers");
	replicas = YAJL_IS_INTEGER(r) ? YAJL_GET_INTEGER(r) : -1;
	if (!name || !kind || replicas < 0 || replicas > 100000 || !YAJL_IS_ARRAY(w->containers) ||
	    !w->containers->u.array.len) {
		cerr_set(err, EINVAL, "not a workload: name, kind, replicas and template.containers are needed");
		goto fail;
	}
	w->replicas = (unsigned)replicas;
	if (!(w->name = strdup(name)) || !(w->kind = strdup(kind)) || template_hash(tmpl, w->hash) < 0) {
		cerr_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	return w;
fail:
	wl_free(w);
	return NULL;
}

/* <name>.json, a member's <name>@<uid>.json: each owner's names are its own */
static void file_name(const workload *w, char *buf, size_t n)
{
	char shown[WL_SHOWN_MAX];
	snprintf(buf, n, "%s.json", owned_name_shown(w->name, w->peer.uid, 0, shown, sizeof(shown)));
}

static void file_path(const wl_table *t, const workload *w, char *buf, size_t n)
{
	char name[NAME_MAX + 1];
	file_name(w, name, sizeof(name));
	snprintf(buf, n, "%s/%s", t->dir, name);
}

int wl_save(wl_table *t, const workload *w, cerr *err)
{
	char path[PATH_MAX];
	file_path(t, w, path, sizeof(path));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key(g, "groups") || yajl_gen_array_open(g);
	for (int i = 0; !r && i < w->peer.n_groups; i++) /* as its peer had them: its calls are made so */
		r = yajl_gen_integer(g, w->peer.groups[i]) != yajl_gen_status_ok;
	if (r || yajl_gen_array_close(g) || jg_key(g, "workload") || jg_value(g, w->tree) ||
	    jg_key_int(g, "uid", w->peer.uid) || jg_key_int(g, "gid", w->peer.gid) ||
	    jg_key_str(g, "applied", w->applied) || jg_key_int(g, "generation", w->generation) ||
	    jg_key_bool(g, "deleting", w->deleting) || yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	return jg_write_file(g, path, WL_FILE_MODE, 0, err);
}

void wl_forget_file(wl_table *t, const workload *w)
{
	char path[PATH_MAX];
	file_path(t, w, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
}

void wl_link(wl_table *t, workload *w)
{
	workload **p = &t->list;
	while (*p && strcmp((*p)->name, w->name) < 0) /* by name: List's order */
		p = &(*p)->next;
	w->next = *p;
	*p = w;
	t->n++;
}

void wl_unlink(wl_table *t, workload *w)
{
	for (workload **p = &t->list; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			t->n--;
			return;
		}
}

/* One file: a workload, or a warning and NULL. */
static workload *load_one(wl_table *t, int dfd, const char *file)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	workload *w = NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *text = NULL;
	if (json_parse_file_at(dfd, file, WL_FILE_MAX, &v, &err) < 0)
		goto bad;
	yajl_val uid = json_get(v, "uid"), gid = json_get(v, "gid"), gen = json_get(v, "generation");
	const char *applied = wl_str(v, "applied");
	if (!YAJL_IS_INTEGER(uid) || !YAJL_IS_INTEGER(gid) || !YAJL_IS_INTEGER(gen) || !applied ||
	    !YAJL_IS_OBJECT(json_get(v, "workload"))) {
		cerr_set(&err, EINVAL, "uid, gid, generation, applied and workload are needed");
		goto bad;
	}
	if (!g || jg_value(g, json_get(v, "workload")) || !(text = jg_finish(g, NULL))) {
		cerr_set(&err, ENOMEM, "out of memory");
		goto bad;
	}
	peer_cred peer = { .uid = (uid_t)YAJL_GET_INTEGER(uid), .gid = (gid_t)YAJL_GET_INTEGER(gid) };
	yajl_val groups = json_get(v, "groups");
	for (size_t i = 0; YAJL_IS_ARRAY(groups) && i < groups->u.array.len && peer.n_groups < PEER_MAX_GROUPS; i++)
		if (YAJL_IS_INTEGER(groups->u.array.values[i]))
			peer.groups[peer.n_groups++] = (gid_t)YAJL_GET_INTEGER(groups->u.array.values[i]);
	if (!(w = wl_new(text, &peer, &err)))
		goto bad;
	char want[NAME_MAX + 1], bare[NAME_MAX + 1];
	file_name(w, want, sizeof(want));
	snprintf(bare, sizeof(bare), "%s.json", w->name);
	if (!streq(want, file) && !streq(bare, file)) {
		cerr_set(&err, EINVAL, "it names workload %s of uid %u", w->name, (unsigned)w->peer.uid);
		goto bad;
	}
	/* a member's, from before each owner's names were its own */
	if (!streq(want, file) && renameat2(dfd, file, dfd, want, RENAME_NOREPLACE) < 0) {
		cerr_sys(&err, errno, "its move to %s", want);
		goto bad;
	}
	snprintf(w->applied, sizeof(w->applied), "%s", applied);
	w->generation = (unsigned)YAJL_GET_INTEGER(gen);
	w->deleting = YAJL_IS_TRUE(json_get(v, "deleting"));
	return w;
bad:
	log_warn("%s/%s: %s; skipped", t->dir, file, cerr_msg(&err));
	wl_free(w);
	return NULL;
}

int wl_load_all(wl_table *t, cerr *err)
{
	_cleanup_close_ int dfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return cerr_sys(err, errno, "%s", t->dir);
	_cleanup_(closedirp) DIR *dir = fdopendir(dup(dfd));
	if (!dir)
		return cerr_sys(err, errno, "%s", t->dir);
	struct dirent *e;
	while ((e = readdir(dir)) && t->n < WL_MAX) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 6 || !streq(e->d_name + n - 5, ".json"))
			continue;
		workload *w = load_one(t, dfd, e->d_name);
		if (w && wl_find(t, w->peer.uid, w->name)) /* met again, moved to its name */
			wl_free(w);
		else if (w)
			wl_link(t, w);
	}
	return 0;
}
