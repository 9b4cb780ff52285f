#include "supervisor/varlink/wire.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vl_framer_init(vl_framer *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max ? max : VL_MAX_MESSAGE;
}

/* Messages read are wiped once they are done with, here and as the buffer
 * moves: a SecretCreate carries a secret, which must not linger in memory
 * a core dump would hold. */
void vl_framer_release(vl_framer *f)
{
	if (f->buf)
		explicit_bzero(f->buf, f->cap);
	free(f->buf);
	f->buf = NULL;
	f->start = f->len = f->cap = f->scanned = 0;
}

size_t vl_framer_pending(const vl_framer *f) { return f->len - f->start; }

int vl_framer_reserve(vl_framer *f, size_t want, char **p, size_t *room)
{
	/* compact first so the buffer does not creep forward forever */
	if (f->start > 0 && (f->start == f->len || f->start >= f->cap / 2)) {
		memmove(f->buf, f->buf + f->start, f->len - f->start);
		explicit_bzero(f->buf + f->len - f->start, f->start);
		f->len -= f->start;
		f->start = 0;
	}
	if (f->cap - f->len < want) {
		size_t cap = f->cap ? f->cap : 4096;
		while (cap - f->len < want)
			cap *= 2;
		char *nb = malloc(cap); /* not realloc: the old buffer is wiped before it is freed */
		if (!nb)
			return -ENOMEM;
		if (f->buf) {
			memcpy(nb, f->buf, f->len);
			explicit_bzero(f->buf, f->cap);
			free(f->buf);
		}
		f->buf = nb;
		f->cap = cap;
	}
	*p = f->buf + f->len;
	*room = f->cap - f->len;
	return 0;
}

void vl_framer_commit(vl_framer *f, size_t n) { f->len += n; }

int vl_framer_feed(vl_framer *f, const void *data, size_t n)
{
	char *p;
	size_t room;
	int r = vl_framer_reserve(f, n, &p, &room);
	if (r < 0)
		return r;
	memcpy(p, data, n);
	vl_framer_commit(f, n);
	return 0;
}

int vl_framer_next(vl_framer *f, char **msg, size_t *len)
{
	char *base = f->buf + f->start;
	size_t avail = f->len - f->start;
	char *nul = avail > f->scanned ? memchr(base + f->scanned, '\0', avail - f->scanned) : NULL;
	if (!nul) {
		f->scanned = avail;
		return avail > f->max ? -EMSGSIZE : 0;
	}
	size_t n = (size_t)(nul - base);
	if (n > f->max)
		return -EMSGSIZE;
	*msg = base;
	*len = n;
	f->start += n + 1;
	f->scanned = 0;
	return 1;
}

/* With nul_path (a call's), a string that holds a NUL leaves the tree in
 * *out, as json_parse_nul has it. */
static int parse_tree(const char *text, size_t len, const char *what, yajl_val *out, char *nul_path, cerr *err)
{
	if (len > VL_MAX_MESSAGE)
		return cerr_set(err, EMSGSIZE, "%s: larger than %u bytes", what, VL_MAX_MESSAGE);
	int r = nul_path ? json_parse_nul(text, what, out, nul_path, err) : json_parse(text, what, out, err);
	if (r < 0)
		return r;
	if (!YAJL_IS_OBJECT(*out)) {
		yajl_tree_free(*out);
		*out = NULL;
		return cerr_set(err, EINVAL, "%s: not a JSON object", what);
	}
	return 0;
}

static int opt_bool(yajl_val obj, const char *key, bool *out, cerr *err)
{
	yajl_val v = json_get(obj, key);
	*out = false;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return cerr_set(err, EINVAL, "message: %s: must be a boolean, not %s", key,
				json_type_name(v));
	*out = YAJL_IS_TRUE(v);
	return 0;
}

/* An absent or null "parameters" is {}: point at a static empty object. */
static struct yajl_val_s empty_object = { .type = yajl_t_object };

static int get_params(yajl_val tree, yajl_val *out, cerr *err)
{
	yajl_val p = json_get(tree, "parameters");
	if (!p || YAJL_IS_NULL(p)) {
		*out = &empty_object;
		return 0;
	}
	if (!YAJL_IS_OBJECT(p))
		return cerr_set(err, EINVAL, "message: parameters: must be an object, not %s",
				json_type_name(p));
	*out = p;
	return 0;
}

int vl_message_parse(const char *text, size_t len, vl_message *m, cerr *err)
{
	static const char under[] = "parameters.";
	char nul[JSON_GUARD_PATH_MAX];
	_cleanup_cerr_ cerr nul_err = { 0 };
	memset(m, 0, sizeof(*m));
	int r = parse_tree(text, len, "message", &m->tree, nul, err);
	if (r < 0 && !m->tree)
		return r;
	/* a parameter's NUL is the call's fault, answered; any other the message's */
	if (r < 0 && (!YAJL_IS_OBJECT(m->tree) || strncmp(nul, under, strlen(under)))) {
		r = -EINVAL;
		goto fail;
	}
	if (r < 0) {
		nul_err = *err;
		*err = (cerr){ 0 };
	}
	yajl_val method = json_get(m->tree, "method");
	if (!YAJL_IS_STRING(method) || !method->u.string[0]) {
		r = cerr_set(err, EINVAL, "message: method: must be a non-empty string, not %s",
			     json_type_name(method));
		goto fail;
	}
	m->method = method->u.string;
	if ((r = get_params(m->tree, &m->params, err)) < 0 ||
	    (r = opt_bool(m->tree, "more", &m->more, err)) < 0 ||
	    (r = opt_bool(m->tree, "oneway", &m->oneway, err)) < 0 ||
	    (r = opt_bool(m->tree, "upgrade", &m->upgrade, err)) < 0)
		goto fail;
	if (m->more && m->oneway) {
		r = cerr_set(err, EINVAL, "message: more and oneway exclude each other");
		goto fail;
	}
	if (nul_err.msg) {
		/* its strings are cut: the method sees none of them */
		snprintf(m->nul_param, sizeof(m->nul_param), "%s", nul + strlen(under));
		m->params = &empty_object;
		*err = nul_err;
		nul_err = (cerr){ 0 };
		return -EILSEQ;
	}
	return 0;
fail:
	vl_message_release(m);
	return r;
}

/* flag: true, false or null, once */
static bool scan_flag(const json_text *v, bool *flag, unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return false;
	*seen |= bit;
	*flag = json_text_is(v, "true");
	return *flag || json_text_is(v, "false") || json_text_is(v, "null");
}

bool vl_message_scan(const char *text, size_t len, vl_message_text *m)
{
	enum { METHOD = 1, PARAMS = 2, MORE = 4, ONEWAY = 8, UPGRADE = 16 };
	json_keys it;
	json_text k, v;
	unsigned seen = 0;
	int r;
	*m = (vl_message_text){ .params = "{}", .params_len = 2 };
	if (len > VL_MAX_MESSAGE || !json_keys_open(&it, text, text + len, 1, false))
		return false;
	while ((r = json_keys_next(&it, &k, &v)) == 1) {
		bool ok;
		if (json_text_is(&k, "method")) {
			ok = !(seen & METHOD) && v.plain && v.len > 2 && v.p[0] == '"';
			seen |= METHOD;
			m->method = v.p + 1;
			m->method_len = v.len - 2;
		} else if (json_text_is(&k, "parameters")) {
			ok = !(seen & PARAMS) && (v.p[0] == '{' || json_text_is(&v, "null"));
			seen |= PARAMS;
			if (v.p[0] == '{') {
				m->params = v.p;
				m->params_len = v.len;
			}
		} else if (json_text_is(&k, "more")) {
			ok = scan_flag(&v, &m->more, &seen, MORE);
		} else if (json_text_is(&k, "oneway")) {
			ok = scan_flag(&v, &m->oneway, &seen, ONEWAY);
		} else if (json_text_is(&k, "upgrade")) {
			ok = scan_flag(&v, &m->upgrade, &seen, UPGRADE);
		} else {
			ok = false;
		}
		if (!ok)
			return false;
	}
	return r == 0 && (seen & METHOD) && !(m->more && m->oneway);
}

void vl_message_release(vl_message *m)
{
	if (m->tree)
		yajl_tree_free(m->tree);
	memset(m, 0, sizeof(*m));
}

int vl_reply_parse(const char *text, size_t len, vl_reply *rep, cerr *err)
{
	memset(rep, 0, sizeof(*rep));
	int r = parse_tree(text, len, "reply", &rep->tree, NULL, err);
	if (r < 0)
		return r;
	yajl_val e = json_get(rep->tree, "error");
	if (e && !YAJL_IS_NULL(e)) {
		if (!YAJL_IS_STRING(e)) {
			r = cerr_set(err, EINVAL, "reply: error: must be a string");
			goto fail;
		}
		rep->error = e->u.string;
	}
	if ((r = get_params(rep->tree, &rep->params, err)) < 0 ||
	    (r = opt_bool(rep->tree, "continues", &rep->continues, err)) < 0)
		goto fail;
	return 0;
fail:
	vl_reply_release(rep);
	return r;
}

void vl_reply_release(vl_reply *rep)
{
	if (rep->tree)
		yajl_tree_free(rep->tree);
	memset(rep, 0, sizeof(*rep));
}

static int add_nul(strbuf *out) { return sb_add(out, "", 1); }

static int add_json_string(strbuf *out, const char *s)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_str(g, s))
		return -ENOMEM;
	const unsigned char *buf;
	size_t n;
	yajl_gen_get_buf(g, &buf, &n);
	return sb_add(out, buf, n);
}

int vl_encode_call_flags(strbuf *out, const char *method, const char *params_json, unsigned flags)
{
	int r = sb_adds(out, "{\"method\":");
	if (!r) r = add_json_string(out, method);
	if (!r) r = sb_addf(out, ",\"parameters\":%s", params_json ? params_json : "{}");
	if (!r && (flags & VL_CALL_MORE)) r = sb_adds(out, ",\"more\":true");
	if (!r && (flags & VL_CALL_ONEWAY)) r = sb_adds(out, ",\"oneway\":true");
	if (!r && (flags & VL_CALL_UPGRADE)) r = sb_adds(out, ",\"upgrade\":true");
	if (!r) r = sb_adds(out, "}");
	return r ? r : add_nul(out);
}

int vl_encode_reply(strbuf *out, const char *params_json, bool continues)
{
	if (!params_json)
		params_json = "{}";
	return vl_encode_reply_n(out, params_json, strlen(params_json), continues);
}

int vl_encode_reply_n(strbuf *out, const char *params_json, size_t len, bool continues)
{
	/* no printf: a List reply is tens of kB, and vsnprintf copies it slowly */
	int r = sb_adds(out, "{\"parameters\":");
	if (!r) r = sb_add(out, params_json, len);
	if (!r) r = sb_adds(out, continues ? ",\"continues\":true}" : "}");
	return r ? r : add_nul(out);
}

int vl_encode_error(strbuf *out, const char *error, const char *params_json)
{
	int r = sb_adds(out, "{\"error\":");
	if (!r) r = add_json_string(out, error);
	if (!r) r = sb_addf(out, ",\"parameters\":%s}", params_json ? params_json : "{}");
	return r ? r : add_nul(out);
}
