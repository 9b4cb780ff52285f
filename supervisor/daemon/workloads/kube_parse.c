/* kube_parse: a manifest file's documents, each a Pod (v1) or a Deployment
 * (apps/v1), into the canonical JSON of kube.h. */
#include "supervisor/daemon/workloads/kube.h"
#include "supervisor/daemon/workloads/kube_parse.h"
#include "supervisor/daemon/workloads/kube_pod.h"
#include "supervisor/daemon/core/labels.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_KEY_MAX 253
#define LABEL_VALUE_MAX 63

static int cmp_key(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* A mapping of string labels; written sorted by key, so that their order
 * in the manifest changes nothing. */
static int read_labels(kube_ctx *c, const kube_node *meta, const char *path, const char *key, const kube_node **out)
{
	char p[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
	int r = kube_get_map(c, meta, path, key, out);
	if (r < 0 || !*out)
		return r;
	kube_path(p, path, key);
	for (size_t i = 0; i < (*out)->n; i++) {
		const kube_node *v = (*out)->items[i];
		const char *k = (*out)->keys[i];
		kube_path(field, p, k);
		json_fault nf = { 0 };
		if (!*k || json_name_check(k, LABEL_KEY_MAX, 0, field, &nf) < 0)
			return kube_fail(c, (*out)->key_lines[i], field,
					 "a label's key must be 1-%d characters, none a control character", LABEL_KEY_MAX);
		/* corral's own (workload.h): a manifest's would hide its replicas from the loop */
		if (!strncmp(k, LABEL_RESERVED_PREFIX, strlen(LABEL_RESERVED_PREFIX)))
			return kube_fail(c, (*out)->key_lines[i], field, LABEL_RESERVED_PREFIX " labels are corral's own");
		if (v->type != KUBE_SCALAR || kube_is_null(v) || strlen(v->value) != v->len || v->len > LABEL_VALUE_MAX)
			return kube_fail(c, v->line, field, "must be a string of at most %d characters", LABEL_VALUE_MAX);
	}
	return 0;
}

static int gen_labels(kube_ctx *c, const kube_node *labels, yajl_gen g)
{
	size_t n = labels ? labels->n : 0;
	_cleanup_free_ char ***order = calloc(n + 1, sizeof(*order));
	if (!order)
		return kube_gen_failed(c);
	for (size_t i = 0; i < n; i++)
		order[i] = &labels->keys[i];
	qsort(order, n, sizeof(*order), cmp_key);
	if (jg_key(g, "labels") || yajl_gen_map_open(g))
		return kube_gen_failed(c);
	for (size_t i = 0; i < n; i++)
		if (jg_key_str(g, *order[i], labels->items[order[i] - labels->keys]->value))
			return kube_gen_failed(c);
	return yajl_gen_map_close(g) ? kube_gen_failed(c) : 0;
}

static int read_metadata(kube_ctx *c, const kube_node *doc, const char **name, const kube_node **labels)
{
	const kube_node *meta;
	int r = kube_get_map(c, doc, "", "metadata", &meta);
	if (r < 0)
		return r;
	if (!meta)
		return kube_fail(c, doc->line, "metadata.name", "required");
	if ((r = kube_check_keys(c, meta, "metadata", (const char *const[]){ "name", "labels", NULL })) < 0 ||
	    (r = kube_get_str(c, meta, "metadata", "name", true, name)) < 0 ||
	    (r = read_labels(c, meta, "metadata", "labels", labels)) < 0)
		return r;
	if (!kube_name_valid(*name, strlen(*name)))
		return kube_fail(c, kube_key(meta, "name", NULL)->line, "metadata.name",
				 "%s: must be 1-63 lowercase letters, digits and '-' (RFC 1123)", *name);
	return 0;
}

/* spec.selector.matchLabels: each must be one of the template's labels,
 * as Kubernetes requires (else the Deployment would not own its pods). */
static int check_selector(kube_ctx *c, const kube_node *spec, const kube_node *tlabels)
{
	const kube_node *sel, *match;
	int r = kube_get_map(c, spec, "spec", "selector", &sel);
	if (r < 0)
		return r;
	if (!sel)
		return kube_fail(c, spec->line, "spec.selector", "required");
	if ((r = kube_check_keys(c, sel, "spec.selector", (const char *const[]){ "matchLabels", NULL })) < 0 ||
	    (r = read_labels(c, sel, "spec.selector", "matchLabels", &match)) < 0)
		return r;
	if (!match || match->n == 0)
		return kube_fail(c, sel->line, "spec.selector.matchLabels", "must name at least one label");
	for (size_t i = 0; i < match->n; i++) {
		const kube_node *t = kube_key(tlabels, match->keys[i], NULL);
		if (!t || strcmp(t->value, match->items[i]->value) != 0)
			return kube_fail(c, match->key_lines[i], "spec.selector.matchLabels",
					 "%s=%s: does not match spec.template.metadata.labels", match->keys[i],
					 match->items[i]->value);
	}
	return 0;
}

static int gen_deployment(kube_ctx *c, const kube_node *doc, yajl_gen g)
{
	const kube_node *spec, *tmpl, *tmeta, *tlabels = NULL, *pod;
	long long replicas = 1;
	int r = kube_get_map(c, doc, "", "spec", &spec);
	if (r < 0)
		return r;
	if (!spec)
		return kube_fail(c, doc->line, "spec", "required");
	if ((r = kube_check_keys(c, spec, "spec", (const char *const[]){ "replicas", "selector", "template", NULL })) < 0 ||
	    (r = kube_get_int(c, spec, "spec", "replicas", 0, KUBE_MAX_REPLICAS, &replicas)) < 0 ||
	    (r = kube_get_map(c, spec, "spec", "template", &tmpl)) < 0)
		return r;
	if (!tmpl)
		return kube_fail(c, spec->line, "spec.template", "required");
	if ((r = kube_check_keys(c, tmpl, "spec.template", (const char *const[]){ "metadata", "spec", NULL })) < 0 ||
	    (r = kube_get_map(c, tmpl, "spec.template", "metadata", &tmeta)) < 0 ||
	    (tmeta && (r = kube_check_keys(c, tmeta, "spec.template.metadata", (const char *const[]){ "labels", NULL })) < 0) ||
	    (tmeta && (r = read_labels(c, tmeta, "spec.template.metadata", "labels", &tlabels)) < 0) ||
	    (r = check_selector(c, spec, tlabels)) < 0 || (r = kube_get_map(c, tmpl, "spec.template", "spec", &pod)) < 0)
		return r;
	if (!pod)
		return kube_fail(c, tmpl->line, "spec.template.spec", "required");
	if (jg_key_int(g, "replicas", replicas) || jg_key(g, "template") || yajl_gen_map_open(g))
		return kube_gen_failed(c);
	/* the pods' labels are the template's, as in Kubernetes */
	if ((r = gen_labels(c, tlabels, g)) < 0 || (r = kube_pod_gen(c, pod, "spec.template.spec", true, replicas, g)) < 0)
		return r;
	return yajl_gen_map_close(g) ? kube_gen_failed(c) : 0;
}

static int gen_pod(kube_ctx *c, const kube_node *doc, const kube_node *labels, yajl_gen g)
{
	const kube_node *spec;
	int r = kube_get_map(c, doc, "", "spec", &spec);
	if (r < 0)
		return r;
	if (!spec)
		return kube_fail(c, doc->line, "spec", "required");
	if (jg_key_int(g, "replicas", 1) || jg_key(g, "template") || yajl_gen_map_open(g))
		return kube_gen_failed(c);
	if ((r = gen_labels(c, labels, g)) < 0 || (r = kube_pod_gen(c, spec, "spec", false, 1, g)) < 0)
		return r;
	return yajl_gen_map_close(g) ? kube_gen_failed(c) : 0;
}

/* kind and apiVersion, checked in that order: the kind says which
 * apiVersion is right. */
static int read_kind(kube_ctx *c, const kube_node *doc, bool *deployment)
{
	const char *kind = NULL, *api = NULL;
	int r;
	if (doc->type != KUBE_MAP)
		return kube_check_keys(c, doc, "", NULL); /* "document: must be a mapping" */
	if ((r = kube_get_str(c, doc, "", "kind", true, &kind)) < 0)
		return r;
	*deployment = strcmp(kind, "Deployment") == 0;
	if (!*deployment && strcmp(kind, "Pod") != 0)
		return kube_fail(c, kube_key(doc, "kind", NULL)->line, "kind", "%s: not supported (Pod or Deployment)", kind);
	const char *want = *deployment ? "apps/v1" : "v1";
	if ((r = kube_get_str(c, doc, "", "apiVersion", true, &api)) < 0)
		return r;
	if (strcmp(api, want) != 0)
		return kube_fail(c, kube_key(doc, "apiVersion", NULL)->line, "apiVersion",
				 "%s: not supported for a %s (%s)", api, kind, want);
	return kube_check_keys(c, doc, "", (const char *const[]){ "apiVersion", "kind", "metadata", "spec", NULL });
}

static int parse_doc(kube_ctx *c, const kube_node *doc, kube_workload *w)
{
	bool deployment = false;
	const char *name;
	const kube_node *labels = NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r;
	if (!g)
		return kube_gen_failed(c);
	if ((r = read_kind(c, doc, &deployment)) < 0 || (r = read_metadata(c, doc, &name, &labels)) < 0)
		return r;
	const char *kind = deployment ? "Deployment" : "Pod";
	if (yajl_gen_map_open(g) || jg_key_str(g, "kind", kind) || jg_key_str(g, "name", name))
		return kube_gen_failed(c);
	if ((r = gen_labels(c, labels, g)) < 0 || (r = deployment ? gen_deployment(c, doc, g) : gen_pod(c, doc, labels, g)) < 0)
		return r;
	if (yajl_gen_map_close(g) || !(w->json = jg_finish(g, NULL)) || !(w->kind = strdup(kind)) || !(w->name = strdup(name)))
		return kube_gen_failed(c);
	return 0;
}

void kube_set_release(kube_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->w[i].kind);
		free(s->w[i].name);
		free(s->w[i].json);
	}
	free(s->w);
	*s = (kube_set){ 0 };
}

int kube_parse(const char *file, const char *text, size_t len, kube_set *out, cerr *err)
{
	kube_ctx c = { file, err };
	kube_docs docs = { 0 };
	kube_set set = { 0 };
	*out = (kube_set){ 0 };
	if (len > KUBE_TEXT_MAX)
		return cerr_set(err, EFBIG, "%s: larger than %u bytes", file, KUBE_TEXT_MAX);
	/* empty documents count against the bound too: each costs a little */
	int r = kube_yaml_load(file, text, len, KUBE_MAX_WORKLOADS, &docs, err);
	if (r < 0)
		return r;
	if (!(set.w = calloc(docs.n ? docs.n : 1, sizeof(*set.w))))
		r = kube_gen_failed(&c);
	for (size_t i = 0; r >= 0 && i < docs.n; i++) {
		if (!docs.doc[i])
			continue;
		if ((r = parse_doc(&c, docs.doc[i], &set.w[set.n])) < 0) {
			set.n++; /* its half-made parts are released below */
			break;
		}
		for (size_t j = 0; j < set.n && r >= 0; j++)
			if (strcmp(set.w[j].name, set.w[set.n].name) == 0)
				r = kube_fail(&c, kube_key(kube_key(docs.doc[i], "metadata", NULL), "name", NULL)->line,
					      "metadata.name", "%s: named twice in this file", set.w[j].name);
		set.n++;
	}
	if (r >= 0 && set.n == 0)
		r = cerr_set(err, EINVAL, "%s: holds no Pod or Deployment", file);
	kube_docs_release(&docs);
	if (r < 0) {
		kube_set_release(&set);
		return r;
	}
	*out = set;
	return 0;
}
