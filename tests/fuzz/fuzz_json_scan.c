/* libFuzzer target, differential: the broker's fast path (common/json_scan.c,
 * vl_message_scan) against yajl's way (json_parse, vl_message_parse,
 * json_span). Whatever the scan takes, yajl must take and read the same:
 * the same method and flags, the same members, and each plain value byte
 * for byte what yajl_gen writes of yajl's tree. abort() on any
 * disagreement. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/json_scan.h"
#include "common/json_span.h"
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/args.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/varlink/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIE(...) (fprintf(stderr, "fuzz_json_scan: " __VA_ARGS__), fputc('\n', stderr), abort())

static char *regen(yajl_val v, size_t *len)
{
	yajl_gen g = json_gen_new(false);
	if (!g)
		abort();
	char *s = jg_value(g, v) ? NULL : jg_finish(g, len);
	yajl_gen_free(g);
	if (!s)
		DIE("yajl_gen failed on a tree yajl built");
	return s;
}

static void same_as_tree(const json_text *v, yajl_val tv, const char *what)
{
	if (!v->plain)
		return;
	size_t n;
	char *g = regen(tv, &n);
	if (n != v->len || memcmp(g, v->p, n))
		DIE("%s: plain [%.*s] but yajl_gen writes [%s]", what, (int)v->len, v->p, g);
	free(g);
}

#define MAXM 512

typedef struct walk {
	int r;
	size_t n;
	json_text k[MAXM], v[MAXM];
} walk;

/* The object [p,end) at depth, member by member; r: 0, -1, or -2 when it
 * has more members than we keep (not compared). */
static void walk_obj(walk *w, const char *p, const char *end, int depth, bool checked)
{
	json_keys it;
	json_text k, v;
	w->n = 0;
	w->r = -1;
	if (!json_keys_open(&it, p, end, depth, checked))
		return;
	while ((w->r = json_keys_next(&it, &k, &v)) == 1) {
		if (w->n == MAXM) {
			w->r = -2;
			return;
		}
		w->k[w->n] = k;
		w->v[w->n++] = v;
	}
}

static void same_walks(const walk *a, const walk *b, const char *what)
{
	if (a->r != b->r || a->n != b->n)
		DIE("%s: checked mode walks %d/%zu, unchecked %d/%zu", what, b->r, b->n, a->r, a->n);
	for (size_t i = 0; i < a->n; i++)
		if (a->k[i].p != b->k[i].p || a->k[i].len != b->k[i].len || a->v[i].p != b->v[i].p ||
		    a->v[i].len != b->v[i].len || a->v[i].plain != b->v[i].plain)
			DIE("%s: member %zu differs between checked and unchecked mode", what, i);
}

/* Each member walked is the tree's object's member at the same index
 * (yajl's tree keeps duplicates, in order). */
static void same_keys(const walk *w, yajl_val obj, const char *what)
{
	if (!YAJL_IS_OBJECT(obj) || obj->u.object.len != w->n)
		DIE("%s: %zu members scanned, the tree has %zu", what, w->n,
		    YAJL_IS_OBJECT(obj) ? obj->u.object.len : (size_t)-1);
	for (size_t i = 0; i < w->n; i++) {
		const char *tk = obj->u.object.keys[i];
		if (strlen(tk) != w->k[i].len || memcmp(tk, w->k[i].p, w->k[i].len))
			DIE("%s: key %zu [%.*s], the tree's [%s]", what, i, (int)w->k[i].len, w->k[i].p, tk);
		same_as_tree(&w->v[i], obj->u.object.values[i], what);
	}
}

static void one_call(const char *text, const char *z, size_t len)
{
	vl_message_text mt;
	if (!vl_message_scan(text, len, &mt))
		return;
	vl_message m;
	cerr err = { 0 };
	if (vl_message_parse(z, len, &m, &err) < 0)
		DIE("scanned, but vl_message_parse refuses: %s", cerr_msg(&err));
	if (strlen(m.method) != mt.method_len || memcmp(m.method, mt.method, mt.method_len))
		DIE("method [%.*s], the tree's [%s]", (int)mt.method_len, mt.method, m.method);
	if (m.more != mt.more || m.oneway != mt.oneway || m.upgrade != mt.upgrade)
		DIE("flags differ");
	if (mt.more && mt.oneway)
		DIE("more and oneway scanned");
	/* the parameters: the same object, whose members are the tree's */
	walk *u = malloc(sizeof(*u)), *c = malloc(sizeof(*c));
	if (!u || !c)
		abort();
	walk_obj(u, mt.params, mt.params + mt.params_len, 2, false);
	walk_obj(c, mt.params, mt.params + mt.params_len, 2, true);
	/* checked whole already: only a key with an escape is declined */
	if (u->r == -1 && !memchr(mt.params, '\\', mt.params_len))
		DIE("the scanned call's parameters do not walk");
	same_walks(u, c, "parameters");
	if (u->r == 0)
		same_keys(u, m.params, "parameters");
	/* the parameters' text, alone, is the tree's object */
	char *pz = strndup(mt.params, mt.params_len);
	yajl_val pt = NULL;
	if (!pz || json_parse(pz, NULL, &pt, &err) < 0)
		DIE("the parameters' text alone does not parse: %s", cerr_msg(&err));
	size_t n1, n2;
	char *g1 = regen(pt, &n1), *g2 = regen(m.params, &n2);
	if (n1 != n2 || memcmp(g1, g2, n1))
		DIE("parameters: [%s] alone, [%s] in the call", g1, g2);
	json_text pv = { .p = mt.params, .len = mt.params_len, .plain = true };
	/* plain as a whole only when no member's value had space or an escape,
	 * and no space around: compare when it is so */
	bool whole_plain = u->r == 0;
	for (size_t i = 0; whole_plain && i < u->n; i++)
		whole_plain = u->v[i].plain;
	if (whole_plain && !memchr(mt.params, ' ', mt.params_len) && !memchr(mt.params, '\n', mt.params_len) &&
	    !memchr(mt.params, '\t', mt.params_len) && !memchr(mt.params, '\r', mt.params_len) &&
	    !memchr(mt.params, '\\', mt.params_len))
		same_as_tree(&pv, m.params, "parameters whole");
	/* Publish's fast path forwards what the slow one would: the data's bytes */
	char topic_buf[TOPIC_MAX + 1];
	broker_args fa;
	if (broker_args_scan_publish(mt.params, mt.params_len, topic_buf, &fa)) {
		const char *fd = fa.data;
		size_t fdn = fa.data_len;
		yajl_val dv = json_get(m.params, "data");
		if (!dv)
			DIE("fast Publish took data the tree lacks");
		size_t gn;
		char *g = regen(dv, &gn);
		if (gn != fdn || memcmp(g, fd, fdn))
			DIE("fast Publish forwards [%.*s], the tree's way [%s]", (int)fdn, fd, g);
		const char *span;
		size_t sn;
		if (json_span(z, len, "parameters", "data", &span, &sn) && (sn != fdn || memcmp(span, fd, fdn)))
			DIE("fast Publish forwards [%.*s], json_span [%.*s]", (int)fdn, fd, (int)sn, span);
		const char *topic = YAJL_GET_STRING(json_get(m.params, "topic"));
		if (!topic || !topic_valid(topic) || strcmp(topic, fa.topic))
			DIE("fast Publish took topic [%s], the tree's way [%s]", fa.topic, topic ? topic : "(none)");
		free(g);
	}
	free(g1);
	free(g2);
	yajl_tree_free(pt);
	free(pz);
	free(u);
	free(c);
	vl_message_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a NUL-free text, as the framer gives one: in a buffer of exactly its
	 * size for the scanner (a read past its end is ASan's), and a
	 * NUL-terminated copy for yajl */
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *text = malloc(len ? len : 1), *z = malloc(len + 1);
	if (!text || !z)
		abort();
	memcpy(text, data, len);
	memcpy(z, data, len);
	z[len] = '\0';

	/* the text as a whole object: walked to its end, yajl takes it too */
	walk *u = malloc(sizeof(*u)), *c = malloc(sizeof(*c));
	if (!u || !c)
		abort();
	walk_obj(u, text, text + len, 1, false);
	if (u->r == 0) {
		walk_obj(c, text, text + len, 1, true);
		same_walks(u, c, "text");
		cerr err = { 0 };
		yajl_val tree = NULL;
		if (json_parse(z, NULL, &tree, &err) < 0)
			DIE("scanned whole, but yajl refuses: %s", cerr_msg(&err));
		same_keys(u, tree, "text");
		yajl_tree_free(tree);
	}
	free(u);
	free(c);
	one_call(text, z, len);
	free(text);
	free(z);
	return 0;
}
