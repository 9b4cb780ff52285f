/* A manifest's YAML as a small tree, read with libyaml's event API so
 * that every bound is ours: text size, nesting depth, node count. Aliases
 * and anchors are refused (a few lines of them can stand for billions of
 * nodes); duplicate keys and keys that are not scalars are refused. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

#define KUBE_DEPTH_MAX 64
#define KUBE_NODES_MAX (1u << 17) /* ~100 bytes each; 256 workloads take a few hundred each */
#define KUBE_MAP_KEYS_MAX 512u /* duplicate keys are looked for in each: keep it quadratic in little */

enum kube_node_type { KUBE_SCALAR, KUBE_MAP, KUBE_SEQ };

typedef struct kube_node {
	enum kube_node_type type;
	unsigned line;     /* 1-based */
	bool plain;        /* a scalar neither quoted nor tagged: may be a number, bool or null */
	char *value;       /* a scalar's text (NUL-terminated; may hold NULs before its len) */
	size_t len;
	char **keys;       /* a map's keys, in order */
	unsigned *key_lines;
	struct kube_node **items; /* a map's values, or a sequence's items */
	size_t n, cap;
} kube_node;

typedef struct kube_docs {
	kube_node **doc;   /* each document's root; NULL for an empty one */
	size_t n;
} kube_docs;

/* At most max_docs documents (an empty one counts). Errors are
 * "FILE:LINE: why", LINE from libyaml's marks. */
int kube_yaml_load(const char *file, const char *text, size_t len, size_t max_docs, kube_docs *out, cerr *err);
void kube_docs_release(kube_docs *d);

/* A map's value at key, or NULL; *line gets the key's line. */
const kube_node *kube_key(const kube_node *map, const char *key, unsigned *line);
/* A plain scalar that YAML reads as null: "", "~", "null". */
bool kube_is_null(const kube_node *n);
