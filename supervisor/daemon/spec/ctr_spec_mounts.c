/* ContainerSpec's mounts: bind mounts (spec.mounts) and tmpfs mounts
 * (spec.tmpfs, "/path[:opt,opt]" as podman --tmpfs). Options are checked
 * word by word here, so that nothing unknown reaches the runtime. */
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_mounts.h"
#include "supervisor/daemon/spec/spec_fields.h"
#include "common/cleanup.h"
#include "common/json_get.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mounts[].sourceType's words */
static const struct {
	const char *word;
	mode_t type;
} source_types[] = {
	{ "directory", S_IFDIR }, { "file", S_IFREG }, { "socket", S_IFSOCK },
	{ "charDevice", S_IFCHR }, { "blockDevice", S_IFBLK },
};

const char *ctr_source_type_word(mode_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(source_types); i++)
		if (source_types[i].type == type)
			return source_types[i].word;
	return "?";
}

static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };

/* Words a tmpfs takes as they are; KEY=VALUE ones are in tmpfs_keys. */
static const char *const tmpfs_words[] = {
	"ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "noatime", "atime", "relatime",
	"strictatime", "nodiratime", "diratime", "sync", "async", "dirsync", NULL,
};
static const char *const tmpfs_keys[] = { "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", NULL };

static const char *word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (streq(w, *list))
			return *list;
	return NULL;
}

static bool clean_destination(const char *d)
{
	size_t n = strlen(d);
	return d[0] == '/' && !strstr(d, "/../") && !(n >= 3 && streq(d + n - 3, "/.."));
}

static bool mounted_at(const ctr_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (streq(s->mounts[i].destination, dest))
			return true;
	for (size_t i = 0; i < s->n_volumes; i++)
		if (streq(s->volumes[i].destination, dest))
			return true;
	for (size_t i = 0; i < s->n_tmpfs; i++)
		if (streq(s->tmpfs[i].destination, dest))
			return true;
	return false;
}

int ctr_spec_add_image_volumes(ctr_spec *s, char *const *paths, json_fault *f)
{
	int added = 0;
	for (; paths && *paths; paths++) {
		if (!clean_destination(*paths))
			return json_fault_set(f, EINVAL, "spec.image",
					      "its config's Volumes: \"%.200s\" is not an absolute path without ..", *paths);
		if (mounted_at(s, *paths))
			continue;
		ctr_volume *more = realloc(s->volumes, (s->n_volumes + 2) * sizeof(*more));
		if (!more)
			return json_fault_oom(f);
		s->volumes = more;
		more[s->n_volumes] = more[s->n_volumes + 1] = (ctr_volume){ 0 };
		if (!(more[s->n_volumes].destination = strdup(*paths)))
			return json_fault_oom(f);
		s->n_volumes++;
		added++;
	}
	return added;
}

void ctr_spec_release_mounts(ctr_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].source);
		free(s->mounts[i].destination);
	}
	free(s->mounts);
	for (size_t i = 0; i < s->n_volumes; i++) {
		free(s->volumes[i].name);
		free(s->volumes[i].destination);
	}
	free(s->volumes);
	s->volumes = NULL;
	s->n_volumes = 0;
	for (size_t i = 0; i < s->n_tmpfs; i++) {
		free(s->tmpfs[i].destination);
		strv_free(s->tmpfs[i].options);
	}
	free(s->tmpfs);
	s->mounts = NULL;
	s->tmpfs = NULL;
	s->n_mounts = s->n_tmpfs = 0;
}

/* [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 bytes, and @UID if the name is
 * an owner's (supervisor/daemon/volumes): never a path */
static bool volume_name_ok(const char *n)
{
	const char *at = strrchr(n, '@');
	size_t len = at ? (size_t)(at - n) : strlen(n);
	if (at && (at[1] < '1' || at[1] > '9' || strspn(at + 1, "0123456789") != strlen(at + 1) || strlen(at + 1) > 10))
		return false;
	if (len == 0 || len > 128 || !isalnum((unsigned char)n[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("_.-", n[i]))
			return false;
	return true;
}

/* type "volume": source a volume's name, or none for an anonymous one */
static int get_volume(yajl_val m, const char *path, ctr_volume *v, json_fault *f)
{
	char field[JSON_PATH_MAX];
	int r;
	if ((r = json_check_keys(m, path, (const char *const[]){ "type", "source", "destination", "readonly", "noCopy", NULL },
				 "unknown field for a volume", f)) < 0 ||
	    (r = json_dup_str(m, path, "source", 0, &v->name, f)) < 0 ||
	    (r = json_dup_str(m, path, "destination", 0, &v->destination, f)) < 0)
		return r;
	if (v->name && !v->name[0]) {
		free(v->name);
		v->name = NULL;
	}
	if (v->name && !volume_name_ok(v->name))
		return json_fault_set(f, EINVAL, json_path(field, path, "source"),
				      "must be a volume's name, [a-zA-Z0-9][a-zA-Z0-9_.-]*[@UID]");
	if (!v->destination || !clean_destination(v->destination))
		return json_fault_set(f, EINVAL, json_path(field, path, "destination"), "must be an absolute path without ..");
	if (json_get_bool(m, path, "readonly", 0, &v->readonly, NULL, f) < 0 ||
	    json_get_bool(m, path, "noCopy", 0, &v->no_copy, NULL, f) < 0)
		return json_fault_reword(f, "must be a boolean");
	return 0;
}

static int get_bind(yajl_val m, const char *path, ctr_mount *cm, json_fault *f)
{
	char field[JSON_PATH_MAX];
	int r;
	if ((r = json_want(m, yajl_t_object, path, f)) < 0)
		return r;
	if ((r = json_check_keys(m, path,
				 (const char *const[]){ "type", "source", "destination", "readonly", "recursiveReadonly",
							"propagation", "idmap", "createSource", "sourceType", NULL },
				 "unknown field", f)) < 0 ||
	    (r = json_dup_str(m, path, "source", 0, &cm->source, f)) < 0 ||
	    (r = json_dup_str(m, path, "destination", 0, &cm->destination, f)) < 0)
		return r;
	if (!cm->source || cm->source[0] != '/')
		return json_fault_set(f, EINVAL, json_path(field, path, "source"), "must be an absolute path");
	if (!cm->destination || !clean_destination(cm->destination))
		return json_fault_set(f, EINVAL, json_path(field, path, "destination"), "must be an absolute path without ..");
	if (json_get_bool(m, path, "readonly", 0, &cm->readonly, NULL, f) < 0 ||
	    json_get_bool(m, path, "recursiveReadonly", 0, &cm->readonly_recursive, NULL, f) < 0 ||
	    json_get_bool(m, path, "idmap", 0, &cm->idmap, NULL, f) < 0 ||
	    json_get_bool(m, path, "createSource", 0, &cm->create_source, NULL, f) < 0)
		return json_fault_reword(f, "must be a boolean");
	const char *prop, *type;
	if ((r = json_get_str(m, path, "propagation", 0, &prop, f)) < 0 ||
	    (r = json_get_str(m, path, "sourceType", 0, &type, f)) < 0)
		return r;
	for (size_t i = 0; type && i < ARRAY_SIZE(source_types) && !cm->source_type; i++)
		if (streq(type, source_types[i].word))
			cm->source_type = source_types[i].type;
	if (type && !cm->source_type)
		return json_fault_set(f, EINVAL, json_path(field, path, "sourceType"),
				      "must be directory, file, socket, charDevice or blockDevice");
	if (cm->create_source && cm->source_type && cm->source_type != S_IFDIR)
		return json_fault_set(f, EINVAL, json_path(field, path, "sourceType"),
				      "createSource makes a directory: it takes sourceType directory only");
	if (prop && !(cm->propagation = word_in(prop, propagations)))
		return json_fault_set(f, EINVAL, json_path(field, path, "propagation"),
				      "must be private, rprivate, shared, rshared, slave or rslave");
	/* a submount that came later through a shared or slave one would be
	 * writable: as the CRI and runc, recursive needs private propagation */
	if (cm->readonly_recursive && (!cm->readonly || (prop && !strstr(prop, "private"))))
		return json_fault_set(f, EINVAL, json_path(field, path, "recursiveReadonly"),
				      "needs readonly, and private or rprivate propagation");
	return 0;
}

static int get_binds(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val v = json_key(cspec_json, "mounts");
	int r = ctr_spec_list(v, yajl_t_array, "spec.mounts", "an array of mounts", CTR_MOUNTS_MAX, f);
	if (r <= 0)
		return r;
	if (!(s->mounts = calloc(v->u.array.len + 1, sizeof(*s->mounts))) ||
	    !(s->volumes = calloc(v->u.array.len + 1, sizeof(*s->volumes))))
		return json_fault_oom(f);
	for (size_t i = 0; i < v->u.array.len; i++) {
		char path[JSON_PATH_MAX], field[JSON_PATH_MAX];
		json_path_idx(path, "spec.mounts", i);
		yajl_val m = v->u.array.values[i];
		const char *type = NULL;
		if ((r = json_want(m, yajl_t_object, path, f)) < 0 || (r = json_get_str(m, path, "type", 0, &type, f)) < 0)
			return r;
		if (type && streq(type, "volume"))
			r = get_volume(m, path, &s->volumes[s->n_volumes++], f);
		else if (type && !streq(type, "bind"))
			return json_fault_set(f, EINVAL, json_path(field, path, "type"), "must be bind or volume");
		else
			r = get_bind(m, path, &s->mounts[s->n_mounts++], f);
		if (r < 0)
			return r;
	}
	return 0;
}

/* size=64m, mode=1777, uid=0, ...: digits, with a size suffix for size. */
static bool tmpfs_value_ok(const char *key, const char *v)
{
	size_t n = strspn(v, "0123456789");
	if (n == 0)
		return false;
	if (streq(key, "size") || streq(key, "nr_blocks") || streq(key, "nr_inodes"))
		return !v[n] || (strchr("kKmMgG%", v[n]) && !v[n + 1]);
	if (streq(key, "mode"))
		return !v[n] && n <= 4 && strspn(v, "01234567") == n;
	return !v[n];
}

/* One "/path[:opt,opt]" into t; *why says what is wrong. */
static int parse_tmpfs(const char *text, ctr_tmpfs *t, const char **why)
{
	const char *colon = strchr(text, ':');
	size_t dlen = colon ? (size_t)(colon - text) : strlen(text);
	if (!(t->destination = strndup(text, dlen)))
		return -ENOMEM;
	if (!clean_destination(t->destination)) {
		*why = "must be /path[:options], the path absolute and without ..";
		return -EINVAL;
	}
	if (!(t->options = calloc(1, sizeof(char *))))
		return -ENOMEM;
	_cleanup_free_ char *opts = strdup(colon ? colon + 1 : "");
	if (!opts)
		return -ENOMEM;
	char *save = NULL;
	for (char *w = strtok_r(opts, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '=');
		if (eq)
			*eq = '\0';
		bool ok = eq ? word_in(w, tmpfs_keys) && tmpfs_value_ok(w, eq + 1) : word_in(w, tmpfs_words) != NULL;
		if (eq)
			*eq = '=';
		if (!ok) {
			*why = "options are ro, rw, [no]exec, [no]suid, [no]dev, atime words, sync words, "
			       "size=N[kmg%], mode=OCTAL, uid=N, gid=N, nr_inodes=N, nr_blocks=N";
			return -EINVAL;
		}
		char *copy = strdup(w);
		if (!copy || strv_push(&t->options, copy) < 0) {
			free(copy);
			return -ENOMEM;
		}
	}
	return 0;
}

static int read_tmpfs(yajl_val e, const char *path, void *slot, void *ud, json_fault *f)
{
	int r = json_want(e, yajl_t_string, path, f);
	if (r < 0)
		return r;
	((ctr_spec *)ud)->n_tmpfs++;
	const char *why = NULL;
	r = parse_tmpfs(e->u.string, slot, &why);
	if (r == -ENOMEM)
		return json_fault_oom(f);
	return r < 0 ? json_fault_set(f, EINVAL, path, "%s", why) : 0;
}

static const ctr_spec_array spec_tmpfs = { "spec.tmpfs", "an array of strings", CTR_MOUNTS_MAX,
					    sizeof(ctr_tmpfs), read_tmpfs };

int ctr_spec_parse_mounts(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	int r = get_binds(cspec_json, s, f);
	return r < 0 ? r : CTR_SPEC_EACH(json_key(cspec_json, "tmpfs"), &spec_tmpfs, s->tmpfs, s, f);
}
