/* A session's key/value store (session_kv.h): a sorted array of keys, each with
 * its canonical JSON value and version, written whole to one file on every
 * change. The file:
 *   {"version":N,"keys":{"KEY":{"version":V,"value":VALUE},...}}
 * Keys need no escaping ([A-Za-z0-9_.:/-]), so it is built as text. */
#include "supervisor/daemon/sessions/session_kv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strbuf.h"

/* What a full store takes in its file, with room for the syntax around it. */
#define SESSION_KV_FILE_MAX ((size_t)SESSION_KV_TOTAL_MAX + (size_t)SESSION_KV_KEYS_MAX * 64 + 4096)

typedef struct entry {
	char *key;
	char *value;
	size_t size; /* strlen(key) + strlen(value): what counts for SESSION_KV_TOTAL_MAX */
	uint64_t version;
} entry;

struct kv_watch {
	session_kv *st;
	char *prefix;
	kv_watch_fn fn;
	void *data;
	bool dead; /* removed while a change was being told: freed after */
	kv_watch *next;
};

struct session_kv {
	char *path;
	entry *e; /* sorted by key */
	size_t n;
	size_t total;
	uint64_t version;
	kv_watch *watches;
	unsigned telling; /* depth of notify(): watches are only marked dead */
};

static void entry_clear(entry *e)
{
	free(e->key);
	free(e->value);
}

static int key_check(const char *key, cerr *err)
{
	size_t len = key ? strlen(key) : 0;
	if (len == 0)
		return cerr_set(err, EINVAL, "key must not be empty");
	if (len > SESSION_KV_KEY_MAX)
		return cerr_set(err, E2BIG, "key is %zu bytes, more than %d", len, SESSION_KV_KEY_MAX);
	size_t ok = strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/-");
	if (ok != len)
		return cerr_set(err, EINVAL, "key %.64s: character %zu is not one of [A-Za-z0-9_.:/-]", key, ok + 1);
	return 0;
}

/* The canonical text of the JSON value text, checked and bounded. */
static int value_canon(yajl_val v, char **out, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	if (jg_value(g, v))
		return cerr_set(err, EINVAL, "value cannot be written as JSON");
	size_t len;
	char *s = jg_finish(g, &len);
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	if (len > SESSION_KV_VALUE_MAX) {
		free(s);
		return cerr_set(err, E2BIG, "value is %zu bytes, more than %d", len, SESSION_KV_VALUE_MAX);
	}
	*out = s;
	return 0;
}

static int value_parse(const char *text, char **out, cerr *err)
{
	if (!text)
		return cerr_set(err, EINVAL, "value is missing");
	/* whitespace aside, text longer than this cannot fit */
	if (strlen(text) > 4 * (size_t)SESSION_KV_VALUE_MAX)
		return cerr_set(err, E2BIG, "value is more than %d bytes", SESSION_KV_VALUE_MAX);
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse(text, "value", &v, err);
	if (r < 0)
		return r;
	return value_canon(v, out, err);
}

/* The index of key, or where it would go (*found false). */
static size_t find(const session_kv *st, const char *key, bool *found)
{
	size_t lo = 0, hi = st->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->e[mid].key, key);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int insert_at(session_kv *st, size_t i, entry e)
{
	entry *ne = realloc(st->e, (st->n + 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	st->e = ne;
	memmove(&st->e[i + 1], &st->e[i], (st->n - i) * sizeof(*ne));
	st->e[i] = e;
	st->n++;
	st->total += e.size;
	return 0;
}

static entry take_at(session_kv *st, size_t i)
{
	entry e = st->e[i];
	memmove(&st->e[i], &st->e[i + 1], (st->n - i - 1) * sizeof(e));
	st->n--;
	st->total -= e.size;
	return e;
}

static int persist(session_kv *st, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	int r = sb_addf(&sb, "{\"version\":%" PRIu64 ",\"keys\":{", st->version);
	for (size_t i = 0; r >= 0 && i < st->n; i++)
		r = sb_addf(&sb, "%s\"%s\":{\"version\":%" PRIu64 ",\"value\":%s}", i ? "," : "", st->e[i].key,
			    st->e[i].version, st->e[i].value);
	if (r >= 0)
		r = sb_adds(&sb, "}}\n");
	if (r < 0)
		return cerr_set(err, ENOMEM, "%s: out of memory", st->path);
	return write_file_atomic(st->path, sb.buf, sb.len, 0600, err);
}

static void notify(session_kv *st, const char *key, const char *value, uint64_t version)
{
	st->telling++;
	/* watches added by a callback are put first, so they hear the next change */
	for (kv_watch *w = st->watches; w; w = w->next)
		if (!w->dead && strncmp(key, w->prefix, strlen(w->prefix)) == 0)
			w->fn(key, value, version, w->data);
	if (--st->telling)
		return;
	for (kv_watch **p = &st->watches; *p;) {
		kv_watch *w = *p;
		if (w->dead) {
			*p = w->next;
			free(w->prefix);
			free(w);
		} else {
			p = &w->next;
		}
	}
}

/* The CAS rule: cur is the key's version, 0 when it does not exist. */
static int cas_check(const char *key, uint64_t cur, int64_t expect, cerr *err)
{
	if (expect < 0 || (uint64_t)expect == cur)
		return 0;
	if (cur == 0)
		return cerr_set(err, ESTALE, "key %s does not exist (expected version %" PRId64 ")", key, expect);
	return cerr_set(err, ESTALE, "key %s is at version %" PRIu64 ", not %" PRId64, key, cur, expect);
}

int kv_set(session_kv *st, const char *key, const char *value, int64_t expect_version, uint64_t *new_version,
	       cerr *err)
{
	int r = key_check(key, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *canon = NULL;
	r = value_parse(value, &canon, err);
	if (r < 0)
		return cerr_wrap(err, "key %s", key);
	bool found;
	size_t i = find(st, key, &found);
	uint64_t cur = found ? st->e[i].version : 0;
	r = cas_check(key, cur, expect_version, err);
	if (r < 0)
		return r;
	size_t size = strlen(key) + strlen(canon);
	size_t total = st->total - (found ? st->e[i].size : 0) + size;
	if (!found && st->n >= SESSION_KV_KEYS_MAX)
		return cerr_set(err, E2BIG, "key %s: the state holds %d keys already, the most it may", key,
				SESSION_KV_KEYS_MAX);
	if (total > SESSION_KV_TOTAL_MAX)
		return cerr_set(err, E2BIG, "key %s: the state would hold %zu bytes, more than %d", key, total,
				SESSION_KV_TOTAL_MAX);

	entry old = { 0 };
	if (found) {
		old = st->e[i];
		st->e[i].value = TAKE_PTR(canon);
		st->e[i].size = size;
		st->e[i].version = cur + 1;
		st->total = total;
	} else {
		entry e = { .key = strdup(key), .value = canon, .size = size, .version = 1 };
		if (!e.key || insert_at(st, i, e) < 0) {
			free(e.key);
			return cerr_set(err, ENOMEM, "out of memory");
		}
		canon = NULL;
	}
	st->version++;
	r = persist(st, err);
	if (r < 0) {
		/* the file holds the old state: so does memory */
		st->version--;
		if (found) {
			free(st->e[i].value);
			st->total = st->total - size + old.size;
			st->e[i] = old;
		} else {
			entry e = take_at(st, i);
			entry_clear(&e);
		}
		return r;
	}
	free(old.value);
	if (new_version)
		*new_version = st->e[i].version;
	/* a watch may change the store: pass it copies that stay put */
	_cleanup_free_ char *k = strdup(key), *v = strdup(st->e[i].value);
	if (k && v)
		notify(st, k, v, cur + 1);
	return 0;
}

int kv_remove(session_kv *st, const char *key, int64_t expect_version, cerr *err)
{
	int r = key_check(key, err);
	if (r < 0)
		return r;
	bool found;
	size_t i = find(st, key, &found);
	if (!found)
		return cerr_set(err, ENOENT, "key %s does not exist", key);
	r = cas_check(key, st->e[i].version, expect_version, err);
	if (r < 0)
		return r;
	entry e = take_at(st, i);
	st->version++;
	r = persist(st, err);
	if (r < 0) {
		st->version--;
		if (insert_at(st, i, e) < 0) /* cannot fail: the array had room for it */
			entry_clear(&e);
		return r;
	}
	uint64_t version = e.version;
	notify(st, e.key, NULL, version);
	entry_clear(&e);
	return 0;
}

int kv_get(const session_kv *st, const char *key, const char **value, uint64_t *version)
{
	bool found;
	size_t i = key ? find(st, key, &found) : 0;
	if (!key || !found)
		return -ENOENT;
	if (value)
		*value = st->e[i].value;
	if (version)
		*version = st->e[i].version;
	return 0;
}

int kv_each(const session_kv *st, int (*fn)(const char *key, const char *value, uint64_t version, void *data),
		void *data)
{
	for (size_t i = 0; i < st->n; i++) {
		int r = fn(st->e[i].key, st->e[i].value, st->e[i].version, data);
		if (r < 0)
			return r;
	}
	return 0;
}

size_t kv_count(const session_kv *st)
{
	return st->n;
}

kv_watch *kv_watch_add(session_kv *st, const char *prefix, kv_watch_fn fn, void *data)
{
	kv_watch *w = calloc(1, sizeof(*w));
	if (!w || !(w->prefix = strdup(prefix ? prefix : ""))) {
		free(w);
		return NULL;
	}
	w->st = st;
	w->fn = fn;
	w->data = data;
	w->next = st->watches;
	st->watches = w;
	return w;
}

void kv_watch_remove(kv_watch *w)
{
	if (!w)
		return;
	session_kv *st = w->st;
	if (st->telling) {
		w->dead = true;
		return;
	}
	for (kv_watch **p = &st->watches; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
	free(w->prefix);
	free(w);
}

void kv_free(session_kv *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		entry_clear(&st->e[i]);
	while (st->watches) {
		kv_watch *w = st->watches;
		st->watches = w->next;
		free(w->prefix);
		free(w);
	}
	free(st->e);
	free(st->path);
	free(st);
}

/* One key of the file, in the order written (sorted, no repeats). */
static int load_entry(session_kv *st, const char *key, yajl_val ent, cerr *err)
{
	int r = key_check(key, err);
	if (r < 0)
		return r;
	if (st->n && strcmp(st->e[st->n - 1].key, key) >= 0)
		return cerr_set(err, EINVAL, "key %s is out of order or repeated", key);
	if (!YAJL_IS_OBJECT(ent))
		return cerr_set(err, EINVAL, "key %s: must be an object, not %s", key, json_type_name(ent));
	uint64_t version;
	if (!json_uint64(json_get(ent, "version"), &version) || version == 0)
		return cerr_set(err, EINVAL, "key %s: version must be a positive integer", key);
	yajl_val v = json_get(ent, "value");
	if (!v)
		return cerr_set(err, EINVAL, "key %s: value is missing", key);
	if (ent->u.object.len != 2)
		return cerr_set(err, EINVAL, "key %s: must hold version and value, and nothing else", key);
	_cleanup_free_ char *canon = NULL;
	r = value_canon(v, &canon, err);
	if (r < 0)
		return cerr_wrap(err, "key %s", key);
	if (st->n >= SESSION_KV_KEYS_MAX)
		return cerr_set(err, E2BIG, "more than %d keys", SESSION_KV_KEYS_MAX);
	entry e = { .key = strdup(key), .value = canon, .version = version };
	if (!e.key)
		return cerr_set(err, ENOMEM, "out of memory");
	e.size = strlen(key) + strlen(canon);
	if (st->total + e.size > SESSION_KV_TOTAL_MAX) {
		free(e.key);
		return cerr_set(err, E2BIG, "more than %d bytes", SESSION_KV_TOTAL_MAX);
	}
	if (insert_at(st, st->n, e) < 0) {
		free(e.key);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	canon = NULL;
	return 0;
}

static int load(session_kv *st, cerr *err)
{
	_cleanup_json_ yajl_val root = NULL;
	_cleanup_free_ char *text = NULL;
	int r = read_file_if_there(AT_FDCWD, st->path, SESSION_KV_FILE_MAX, &text, NULL, err);
	if (r < 0 || !text)
		return r;
	r = json_parse(text, st->path, &root, err);
	if (r < 0)
		return r;
	if (!YAJL_IS_OBJECT(root))
		return cerr_set(err, EINVAL, "must be an object, not %s", json_type_name(root));
	if (!json_uint64(json_get(root, "version"), &st->version))
		return cerr_set(err, EINVAL, "version must be an integer");
	yajl_val keys = json_get(root, "keys");
	if (!YAJL_IS_OBJECT(keys))
		return cerr_set(err, EINVAL, "keys must be an object");
	if (root->u.object.len != 2)
		return cerr_set(err, EINVAL, "must hold version and keys, and nothing else");
	for (size_t i = 0; i < keys->u.object.len; i++) {
		r = load_entry(st, keys->u.object.keys[i], keys->u.object.values[i], err);
		if (r < 0)
			return cerr_wrap(err, "keys");
	}
	return 0;
}

int kv_open(const char *path, session_kv **out, cerr *err)
{
	session_kv *st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	int r = load(st, err);
	if (r < 0) {
		kv_free(st);
		/* json_parse_file_at names the file; the checks after it do not */
		if (err && err->msg && strncmp(err->msg, path, strlen(path)) != 0)
			cerr_wrap(err, "%s", path);
		return r;
	}
	*out = st;
	return 0;
}
