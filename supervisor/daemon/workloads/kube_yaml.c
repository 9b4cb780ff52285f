/* YAML text into a kube_node tree through libyaml's event API, bounded. */
#include "supervisor/daemon/workloads/kube_yaml.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct loader {
	const char *file;
	yaml_parser_t parser;
	size_t nodes;
	cerr *err;
} loader;

static void node_free(kube_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			free(n->keys[i]);
		node_free(n->items[i]);
	}
	free(n->keys);
	free(n->key_lines);
	free(n->items);
	free(n->value);
	free(n);
}

void kube_docs_release(kube_docs *d)
{
	for (size_t i = 0; i < d->n; i++)
		node_free(d->doc[i]);
	free(d->doc);
	*d = (kube_docs){ 0 };
}

static int syntax_error(loader *l)
{
	const yaml_parser_t *p = &l->parser;
	if (p->error == YAML_MEMORY_ERROR)
		return cerr_set(l->err, ENOMEM, "%s: out of memory", l->file);
	size_t line = (p->problem ? p->problem_mark.line : p->context_mark.line) + 1;
	return cerr_set(l->err, EINVAL, "%s:%zu: %s", l->file, line, p->problem ? p->problem : "not valid YAML");
}

static int next(loader *l, yaml_event_t *ev)
{
	return yaml_parser_parse(&l->parser, ev) ? 0 : syntax_error(l);
}

static unsigned line_of(const yaml_event_t *ev)
{
	return (unsigned)ev->start_mark.line + 1;
}

static int refuse_anchor(loader *l, const yaml_event_t *ev, const yaml_char_t *anchor)
{
	if (ev->type != YAML_ALIAS_EVENT && !anchor)
		return 0;
	return cerr_set(l->err, EINVAL, "%s:%u: anchors and aliases are not supported", l->file, line_of(ev));
}

static int append(kube_node *parent, kube_node *child, char *key, unsigned key_line)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		kube_node **items = realloc(parent->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		parent->items = items;
		if (parent->type == KUBE_MAP) {
			char **keys = realloc(parent->keys, cap * sizeof(*keys));
			if (!keys)
				return -ENOMEM;
			parent->keys = keys;
			unsigned *lines = realloc(parent->key_lines, cap * sizeof(*lines));
			if (!lines)
				return -ENOMEM;
			parent->key_lines = lines;
		}
		parent->cap = cap;
	}
	if (parent->type == KUBE_MAP) {
		parent->keys[parent->n] = key;
		parent->key_lines[parent->n] = key_line;
	}
	parent->items[parent->n++] = child;
	return 0;
}

static int load_node(loader *l, yaml_event_t *ev, unsigned depth, kube_node **out);

/* The items of a sequence or map whose start event was just read, up to
 * its end event. */
static int load_children(loader *l, kube_node *n, unsigned depth)
{
	for (;;) {
		yaml_event_t ev;
		int r = next(l, &ev);
		if (r < 0)
			return r;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		_cleanup_free_ char *key = NULL;
		unsigned key_line = line_of(&ev);
		if (n->type == KUBE_MAP) {
			if (ev.type != YAML_SCALAR_EVENT) {
				r = (r = refuse_anchor(l, &ev, NULL)) < 0 ? r :
					cerr_set(l->err, EINVAL, "%s:%u: a key must be a string", l->file, key_line);
				yaml_event_delete(&ev);
				return r;
			}
			if ((r = refuse_anchor(l, &ev, ev.data.scalar.anchor)) < 0) {
				yaml_event_delete(&ev);
				return r;
			}
			/* a "\0" escape would cut the key's C string */
			bool nul = memchr(ev.data.scalar.value, '\0', ev.data.scalar.length);
			key = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			yaml_event_delete(&ev);
			if (!key)
				return cerr_set(l->err, ENOMEM, "%s: out of memory", l->file);
			if (nul)
				return cerr_set(l->err, EINVAL, "%s:%u: a key holds a NUL", l->file, key_line);
			if (n->n >= KUBE_MAP_KEYS_MAX)
				return cerr_set(l->err, E2BIG, "%s:%u: more than %u keys in one mapping", l->file, key_line,
						KUBE_MAP_KEYS_MAX);
			if (kube_key(n, key, NULL))
				return cerr_set(l->err, EINVAL, "%s:%u: %s: duplicate key", l->file, key_line, key);
			if ((r = next(l, &ev)) < 0)
				return r;
		}
		kube_node *child;
		if ((r = load_node(l, &ev, depth + 1, &child)) < 0)
			return r;
		if (append(n, child, key, key_line) < 0) {
			node_free(child);
			return cerr_set(l->err, ENOMEM, "%s: out of memory", l->file);
		}
		key = NULL;
	}
}

/* One node from its first event (consumed here). */
static int load_node(loader *l, yaml_event_t *ev, unsigned depth, kube_node **out)
{
	const yaml_char_t *anchor = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.anchor :
				    ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.anchor :
				    ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor : NULL;
	unsigned line = line_of(ev);
	int r = refuse_anchor(l, ev, anchor);
	if (r >= 0 && depth > KUBE_DEPTH_MAX)
		r = cerr_set(l->err, E2BIG, "%s:%u: nested deeper than %d levels", l->file, line, KUBE_DEPTH_MAX);
	if (r >= 0 && ++l->nodes > KUBE_NODES_MAX)
		r = cerr_set(l->err, E2BIG, "%s:%u: more than %u nodes", l->file, line, KUBE_NODES_MAX);
	kube_node *n = r < 0 ? NULL : calloc(1, sizeof(*n));
	if (r >= 0 && !n)
		r = cerr_set(l->err, ENOMEM, "%s: out of memory", l->file);
	if (r < 0) {
		yaml_event_delete(ev);
		return r;
	}
	n->line = line;
	if (ev->type == YAML_SCALAR_EVENT) {
		n->type = KUBE_SCALAR;
		n->plain = ev->data.scalar.plain_implicit && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = ev->data.scalar.length;
		n->value = malloc(n->len + 1);
		if (n->value) {
			memcpy(n->value, ev->data.scalar.value, n->len);
			n->value[n->len] = 0;
		}
		yaml_event_delete(ev);
		if (!n->value) {
			node_free(n);
			return cerr_set(l->err, ENOMEM, "%s: out of memory", l->file);
		}
		*out = n;
		return 0;
	}
	n->type = ev->type == YAML_MAPPING_START_EVENT ? KUBE_MAP : KUBE_SEQ;
	yaml_event_delete(ev);
	if ((r = load_children(l, n, depth)) < 0) {
		node_free(n);
		return r;
	}
	*out = n;
	return 0;
}

static int add_doc(kube_docs *d, kube_node *root)
{
	kube_node **v = realloc(d->doc, (d->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->doc = v;
	d->doc[d->n++] = root;
	return 0;
}

static int load_docs(loader *l, size_t max_docs, kube_docs *d)
{
	for (;;) {
		yaml_event_t ev;
		int r = next(l, &ev);
		if (r < 0)
			return r;
		yaml_event_type_t t = ev.type;
		unsigned line = line_of(&ev);
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			return 0;
		if (t != YAML_DOCUMENT_START_EVENT)
			continue; /* stream start */
		if (d->n >= max_docs)
			return cerr_set(l->err, E2BIG, "%s:%u: more than %zu documents", l->file, line, max_docs);
		kube_node *root = NULL;
		if ((r = next(l, &ev)) < 0 || (r = load_node(l, &ev, 1, &root)) < 0)
			return r;
		if (kube_is_null(root)) {
			node_free(root);
			root = NULL;
		}
		if (add_doc(d, root) < 0) {
			node_free(root);
			return cerr_set(l->err, ENOMEM, "%s: out of memory", l->file);
		}
		if ((r = next(l, &ev)) < 0) /* document end */
			return r;
		yaml_event_delete(&ev);
	}
}

int kube_yaml_load(const char *file, const char *text, size_t len, size_t max_docs, kube_docs *out, cerr *err)
{
	loader l = { .file = file, .err = err };
	*out = (kube_docs){ 0 };
	if (!yaml_parser_initialize(&l.parser))
		return cerr_set(err, ENOMEM, "%s: out of memory", file);
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
	int r = load_docs(&l, max_docs, out);
	yaml_parser_delete(&l.parser);
	if (r < 0)
		kube_docs_release(out);
	return r;
}

const kube_node *kube_key(const kube_node *map, const char *key, unsigned *line)
{
	if (!map || map->type != KUBE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0) {
			if (line)
				*line = map->key_lines[i];
			return map->items[i];
		}
	return NULL;
}

bool kube_is_null(const kube_node *n)
{
	return n && n->type == KUBE_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
		strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}
