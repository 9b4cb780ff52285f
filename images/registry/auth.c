/* A pair with registry_client.c: auth fetches tokens through the client,
 * whose requests ask it for headers. */
#include "images/registry/auth.h"
#include "images/registry/registry_client.h"
#include "images/registry/reference.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CREDS 256
#define MAX_CHALLENGES 64
#define MAX_TOKENS 256
#define TOKEN_DEFAULT_SECS 60

typedef struct cred {
	char host[256];
	char *userpass; /* "user:password" */
} cred;

typedef struct challenge {
	char endpoint[256];
	bool bearer;
	char *realm, *service;
} challenge;

typedef struct token {
	char *key;   /* realm|service|scope */
	char *header;
	time_t expires;
} token;

struct reg_auth {
	pthread_mutex_t mu;
	cred creds[MAX_CREDS];
	size_t n_creds;
	challenge ch[MAX_CHALLENGES];
	size_t n_ch;
	token tok[MAX_TOKENS];
	size_t n_tok;
};

static int add_cred(reg_auth *a, const char *key, yajl_val v, cerr *err)
{
	yajl_val au = json_get(v, "auth");
	if (!YAJL_IS_STRING(au))
		return cerr_set(err, EINVAL, "credentials for %.100s: no \"auth\" string", key);
	if (a->n_creds == MAX_CREDS)
		return cerr_set(err, E2BIG, "credentials: more than %d registries", MAX_CREDS);
	size_t len = strlen(au->u.string);
	unsigned char *up = calloc(1, len + 3);
	if (!up)
		return cerr_set(err, ENOMEM, "out of memory");
	long n = base64_decode(au->u.string, len, up, len);
	if (n <= 0 || !memchr(up, ':', (size_t)n) || memchr(up, '\0', (size_t)n)) {
		explicit_bzero(up, len + 3);
		free(up);
		return cerr_set(err, EINVAL, "credentials for %.100s: \"auth\" is not base64 of user:password", key);
	}
	cred *c = &a->creds[a->n_creds++];
	reg_auth_key(key, c->host, sizeof(c->host));
	c->userpass = (char *)up;
	return 0;
}

int reg_auth_new(const char *auth_json, reg_auth **out, cerr *err)
{
	reg_auth *a = calloc(1, sizeof(*a));
	if (!a)
		return cerr_set(err, ENOMEM, "out of memory");
	pthread_mutex_init(&a->mu, NULL);
	*out = a;
	if (!auth_json || !*auth_json)
		return 0;
	_cleanup_json_ yajl_val root = NULL;
	int r = json_parse(auth_json, "credentials", &root, err);
	if (r < 0)
		return r;
	yajl_val auths = json_get(root, "auths");
	if (auths && !YAJL_IS_OBJECT(auths))
		return cerr_set(err, EINVAL, "credentials: \"auths\" must be an object");
	for (size_t i = 0; auths && i < auths->u.object.len; i++)
		if ((r = add_cred(a, auths->u.object.keys[i], auths->u.object.values[i], err)) < 0)
			return r;
	return 0;
}

void reg_auth_free(reg_auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_creds; i++) {
		explicit_bzero(a->creds[i].userpass, strlen(a->creds[i].userpass));
		free(a->creds[i].userpass);
	}
	for (size_t i = 0; i < a->n_ch; i++) {
		free(a->ch[i].realm);
		free(a->ch[i].service);
	}
	for (size_t i = 0; i < a->n_tok; i++) {
		free(a->tok[i].key);
		explicit_bzero(a->tok[i].header, strlen(a->tok[i].header));
		free(a->tok[i].header);
	}
	pthread_mutex_destroy(&a->mu);
	free(a);
}

static const char *cred_for(reg_auth *a, const char *endpoint)
{
	char k[256];
	reg_auth_key(endpoint, k, sizeof(k));
	for (size_t i = 0; i < a->n_creds; i++)
		if (!strcmp(a->creds[i].host, k))
			return a->creds[i].userpass;
	return NULL;
}

static challenge *challenge_of(reg_auth *a, const char *endpoint)
{
	for (size_t i = 0; i < a->n_ch; i++)
		if (!strcmp(a->ch[i].endpoint, endpoint))
			return &a->ch[i];
	return NULL;
}

/* A parameter of a challenge: key="value" or key=value, comma separated. */
static char *challenge_param(const char *s, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			return NULL;
		bool hit = (size_t)(eq - p) == k && !strncasecmp(p, key, k);
		const char *v = eq + 1, *e;
		if (*v == '"') {
			v++;
			e = strchr(v, '"');
			if (!e)
				return NULL;
			p = e + 1;
		} else {
			e = v + strcspn(v, ",");
			p = e;
		}
		if (hit)
			return strndup(v, (size_t)(e - v));
	}
	return NULL;
}

static char *token_key(const challenge *ch, const char *scope)
{
	char *k = NULL;
	return asprintf(&k, "%s|%s|%s", ch->realm, ch->service ? ch->service : "", scope) < 0 ? NULL : k;
}

/* A cached, unexpired "Authorization: Bearer ..." (a copy), or NULL. */
static char *cached_token(reg_auth *a, const char *key)
{
	time_t now = time(NULL);
	for (size_t i = 0; i < a->n_tok; i++)
		if (!strcmp(a->tok[i].key, key) && a->tok[i].expires > now)
			return strdup(a->tok[i].header);
	return NULL;
}

static void cache_token(reg_auth *a, char *key, const char *header, long secs)
{
	size_t at = a->n_tok;
	for (size_t i = 0; i < a->n_tok; i++)
		if (!strcmp(a->tok[i].key, key))
			at = i;
	if (at == MAX_TOKENS)
		at = 0; /* full: drop the oldest */
	if (at < a->n_tok) {
		free(a->tok[at].key);
		free(a->tok[at].header);
	} else {
		a->n_tok++;
	}
	/* a little early, so that a token never expires on the way */
	a->tok[at] = (token){ key, strdup(header), time(NULL) + (secs > 10 ? secs - 5 : secs) };
}

/* "&scope=A&scope=B" of the space-separated scopes in scope. */
static int scope_params(const char *scope, strbuf *out)
{
	for (const char *p = scope; *p;) {
		size_t n = strcspn(p, " ");
		char *esc = n ? curl_easy_escape(NULL, p, (int)n) : NULL;
		if (n && (!esc || sb_addf(out, "&scope=%s", esc) < 0)) {
			curl_free(esc);
			return -ENOMEM;
		}
		curl_free(esc);
		p += n + (p[n] == ' ');
	}
	return 0;
}

/* GET realm?service=...&scope=...: the token, as an Authorization header,
 * cached under key_scope. */
static int fetch_token(reg_auth *a, reg_client *c, const char *endpoint, const challenge *ch, const char *scope,
		       const char *key_scope, bool plain, char **out, cerr *err)
{
	if (strncmp(ch->realm, "https://", 8) && !(plain && !strncmp(ch->realm, "http://", 7)))
		return cerr_set(err, EPROTO, "%s: token realm %.200s: not https", endpoint, ch->realm);
	char *es = curl_easy_escape(NULL, ch->service ? ch->service : "", 0);
	_cleanup_strbuf_ strbuf url = STRBUF_INIT;
	int ok = es && sb_addf(&url, "%s%sservice=%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", es) == 0 &&
		 scope_params(scope, &url) == 0;
	curl_free(es);
	if (!ok)
		return cerr_set(err, ENOMEM, "out of memory");
	pthread_mutex_lock(&a->mu);
	const char *up = cred_for(a, endpoint);
	_cleanup_free_ char *userpass = up ? strdup(up) : NULL;
	pthread_mutex_unlock(&a->mu);
	reg_resp resp = { 0 };
	int r = reg_get_url(c, endpoint, url.buf, userpass, REG_MAX_TOKEN, &resp, err);
	if (userpass)
		explicit_bzero(userpass, strlen(userpass));
	if (r < 0) {
		if (err->code == EACCES)
			cerr_wrap(err, "%s: %s", endpoint, userpass ? "the registry refused the credentials" : "a login is needed");
		return r;
	}
	_cleanup_free_ char *body = resp.body;
	size_t len = resp.len;
	resp.body = NULL;
	reg_resp_free(&resp);
	char *tok = NULL;
	long long secs;
	if ((r = reg_token_parse(body, len, &tok, &secs)) == -EBADMSG || r == -ENOENT)
		return cerr_set(err, EPROTO, "%s: token server %.200s: %s", endpoint, ch->realm,
				r == -EBADMSG ? "not a JSON token" : "no token in its answer");
	_cleanup_free_ char *hdr = NULL;
	bool made = r == 0 && asprintf(&hdr, "Authorization: Bearer %s", tok) >= 0;
	if (tok)
		explicit_bzero(tok, strlen(tok));
	free(tok);
	if (!made)
		return cerr_set(err, ENOMEM, "out of memory");
	char *key = token_key(ch, key_scope);
	if (!key)
		return cerr_set(err, ENOMEM, "out of memory");
	pthread_mutex_lock(&a->mu);
	cache_token(a, key, hdr, (long)secs);
	pthread_mutex_unlock(&a->mu);
	*out = TAKE_PTR(hdr);
	return 0;
}

int reg_auth_header(reg_auth *a, reg_client *c, const char *endpoint, const char *scope, bool plain, char **out,
		    char **userpass, cerr *err)
{
	*out = *userpass = NULL;
	pthread_mutex_lock(&a->mu);
	challenge *ch = challenge_of(a, endpoint);
	if (!ch || !ch->bearer) {
		const char *up = ch ? cred_for(a, endpoint) : NULL;
		*userpass = up ? strdup(up) : NULL;
		pthread_mutex_unlock(&a->mu);
		return up && !*userpass ? cerr_set(err, ENOMEM, "out of memory") : 0;
	}
	challenge copy = { .bearer = true, .realm = strdup(ch->realm), .service = ch->service ? strdup(ch->service) : NULL };
	pthread_mutex_unlock(&a->mu);
	_cleanup_free_ char *key = copy.realm ? token_key(&copy, scope) : NULL;
	int r = 0;
	if (!key) {
		r = cerr_set(err, ENOMEM, "out of memory");
	} else {
		pthread_mutex_lock(&a->mu);
		*out = cached_token(a, key);
		pthread_mutex_unlock(&a->mu);
		if (!*out)
			r = fetch_token(a, c, endpoint, &copy, scope, scope, plain, out, err);
	}
	free(copy.realm);
	free(copy.service);
	return r;
}

int reg_challenge_parse(const char *text, reg_challenge *out)
{
	*out = (reg_challenge){ .bearer = !strncasecmp(text, "Bearer ", 7) };
	if (!out->bearer && strncasecmp(text, "Basic", 5))
		return -EPROTONOSUPPORT;
	if (!out->bearer)
		return 0;
	out->realm = challenge_param(text + 7, "realm");
	out->service = challenge_param(text + 7, "service");
	out->scope = challenge_param(text + 7, "scope");
	return out->realm ? 0 : -EPROTO;
}

void reg_challenge_free(reg_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	*c = (reg_challenge){ 0 };
}

int reg_token_parse(const char *body, size_t len, char **out, long long *secs)
{
	*out = NULL;
	*secs = TOKEN_DEFAULT_SECS;
	_cleanup_json_ yajl_val root = NULL;
	_cleanup_cerr_ cerr e = { 0 };
	if (!body || strlen(body) != len || json_parse(body, "token", &root, &e) < 0)
		return -EBADMSG;
	yajl_val t = json_get(root, "token");
	if (!YAJL_IS_STRING(t))
		t = json_get(root, "access_token");
	if (!YAJL_IS_STRING(t) || !*t->u.string || strcspn(t->u.string, "\r\n") != strlen(t->u.string))
		return -ENOENT;
	json_int_in(json_get(root, "expires_in"), 1, 7 * 86400, secs);
	return (*out = strdup(t->u.string)) ? 0 : -ENOMEM;
}

int reg_auth_challenge(reg_auth *a, reg_client *c, const char *endpoint, const char *scope, const char *text,
		       bool plain, cerr *err)
{
	_cleanup_(reg_challenge_free) reg_challenge p = { 0 };
	int r = reg_challenge_parse(text, &p);
	if (r == -EPROTONOSUPPORT)
		return cerr_set(err, EPROTO, "%s: unknown authentication scheme \"%.40s\"", endpoint, text);
	if (r < 0)
		return cerr_set(err, EPROTO, "%s: a Bearer challenge without a realm", endpoint);
	pthread_mutex_lock(&a->mu);
	challenge *ch = challenge_of(a, endpoint);
	if (!ch && a->n_ch < MAX_CHALLENGES) {
		ch = &a->ch[a->n_ch++];
		snprintf(ch->endpoint, sizeof(ch->endpoint), "%s", endpoint);
	}
	bool have_cred = cred_for(a, endpoint) != NULL;
	if (ch) {
		free(ch->realm);
		free(ch->service);
		ch->bearer = p.bearer;
		ch->realm = p.realm ? strdup(p.realm) : NULL;
		ch->service = p.service ? strdup(p.service) : NULL;
	}
	pthread_mutex_unlock(&a->mu);
	if (!p.bearer)
		return have_cred ? 0 : cerr_set(err, EACCES, "%s: authentication required: log in to %s first", endpoint, endpoint);
	/* the request's scope, and what else the registry names; kept under
	 * the request's, where its next attempt looks */
	_cleanup_free_ char *both = NULL;
	const char *ask = scope;
	if (*scope && p.scope && strcmp(p.scope, scope)) {
		if (asprintf(&both, "%s %s", scope, p.scope) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		ask = both;
	}
	challenge tmp = { .bearer = true, .realm = p.realm, .service = p.service };
	_cleanup_free_ char *hdr = NULL;
	return fetch_token(a, c, endpoint, &tmp, ask, scope, plain, &hdr, err);
}
