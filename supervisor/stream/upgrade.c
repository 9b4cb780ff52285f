/* The streaming server's HTTP/1.1 head (upgrade.h): the request line, the
 * headers an upgrade needs, each line and the whole bounded. */
#include "supervisor/stream/upgrade.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/libcrypto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* each kind's subprotocols, the newest first; kubelet's clients offer theirs
 * in their own order, and the first of those spoken here is chosen */
static const char *const spdy_exec[] = { "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io", NULL };
static const char *const ws_exec[] = { "v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io",
				       "base64.channel.k8s.io", "channel.k8s.io", NULL };
static const char *const portforward[] = { "portforward.k8s.io", NULL };
static const char *const ws_portforward[] = { "v4.portforward.k8s.io", "portforward.k8s.io", NULL };

static const char *const *spoken(const upgrade_req *r)
{
	if (r->kind == SERVE_PORTFORWARD)
		return r->to == UPGRADE_SPDY ? portforward : ws_portforward;
	return r->to == UPGRADE_SPDY ? spdy_exec : ws_exec;
}

static int refuse(int *status, char *why, size_t why_len, int code, const char *text)
{
	*status = code;
	snprintf(why, why_len, "%s", text);
	return -1;
}

/* comma-separated values of a header, each added to the offers */
static void add_offers(upgrade_req *r, const char *v, size_t len)
{
	while (len) {
		size_t skip = 0;
		while (skip < len && (v[skip] == ' ' || v[skip] == '\t' || v[skip] == ','))
			skip++;
		v += skip, len -= skip;
		size_t n = 0;
		while (n < len && v[n] != ',')
			n++;
		size_t t = n;
		while (t && (v[t - 1] == ' ' || v[t - 1] == '\t'))
			t--;
		if (t && t < sizeof(r->offers[0]) && r->n_offers < UPGRADE_MAX_OFFERS)
			snprintf(r->offers[r->n_offers++], sizeof(r->offers[0]), "%.*s", (int)t, v);
		v += n, len -= n;
	}
}

static bool header_is(const char *line, size_t name_len, const char *name)
{
	return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

static bool value_has(const char *v, size_t len, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= len; i++)
		if (strncasecmp(v + i, word, w) == 0 && (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
		    (i + w == len || v[i + w] == ',' || v[i + w] == ' '))
			return true;
	return false;
}

int upgrade_parse(const char *buf, size_t n, upgrade_req *r, int *status, char *why, size_t why_len)
{
	const char *end = NULL;
	for (size_t i = 3; i < n && i < UPGRADE_MAX_HEAD; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
			end = buf + i + 1;
			break;
		}
	if (!end)
		return n >= UPGRADE_MAX_HEAD ? refuse(status, why, why_len, 431, "the request's head is past 16 KiB") : 0;
	*r = (upgrade_req){ .head_len = (size_t)(end - buf) };
	/* the request line: METHOD /KIND/TOKEN HTTP/1.1 */
	const char *eol = memchr(buf, '\r', (size_t)(end - buf));
	char method[8], path[160], version[16];
	char line[256];
	size_t ll = (size_t)(eol - buf);
	if (ll >= sizeof(line))
		return refuse(status, why, why_len, 400, "the request line is past 255 bytes");
	memcpy(line, buf, ll), line[ll] = '\0';
	char extra;
	if (sscanf(line, "%7s %159s %15s %c", method, path, version, &extra) != 3 || strncmp(version, "HTTP/1.", 7))
		return refuse(status, why, why_len, 400, "not an HTTP/1.1 request line");
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		return refuse(status, why, why_len, 405, "only GET and POST upgrade here");
	static const struct { const char *prefix; enum serve_kind kind; } kinds[] = {
		{ "/exec/", SERVE_EXEC }, { "/attach/", SERVE_ATTACH }, { "/portforward/", SERVE_PORTFORWARD } };
	const char *token = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds) && !token; i++)
		if (strncmp(path, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			r->kind = kinds[i].kind, token = path + strlen(kinds[i].prefix);
	size_t tl = token ? strcspn(token, "?") : 0;
	if (!token || !tl || tl > UPGRADE_TOKEN_MAX || strspn(token, "0123456789abcdefABCDEF-_") < tl)
		return refuse(status, why, why_len, 404, "no such stream: the path is /exec/, /attach/ or /portforward/ and a token");
	memcpy(r->token, token, tl), r->token[tl] = '\0';
	bool upgrade = false, spdy = false, ws = false;
	for (const char *l = eol + 2; l < end - 2;) {
		const char *le = memchr(l, '\r', (size_t)(end - l));
		const char *colon = memchr(l, ':', (size_t)(le - l));
		if (!colon)
			return refuse(status, why, why_len, 400, "a header line without a colon");
		size_t nl = (size_t)(colon - l);
		const char *v = colon + 1;
		while (v < le && (*v == ' ' || *v == '\t'))
			v++;
		size_t vl = (size_t)(le - v);
		if (header_is(l, nl, "connection"))
			upgrade |= value_has(v, vl, "upgrade");
		else if (header_is(l, nl, "upgrade")) {
			spdy |= value_has(v, vl, "SPDY/3.1");
			ws |= value_has(v, vl, "websocket");
		} else if (header_is(l, nl, "x-stream-protocol-version") || header_is(l, nl, "sec-websocket-protocol"))
			add_offers(r, v, vl);
		else if (header_is(l, nl, "sec-websocket-key") && vl < sizeof(r->ws_key))
			memcpy(r->ws_key, v, vl), r->ws_key[vl] = '\0';
		l = le + 2;
	}
	if (!upgrade || (!spdy && !ws))
		return refuse(status, why, why_len, 426, "upgrade to SPDY/3.1 or websocket (Connection: Upgrade)");
	r->to = spdy ? UPGRADE_SPDY : UPGRADE_WEBSOCKET;
	if (r->to == UPGRADE_WEBSOCKET && !r->ws_key[0])
		return refuse(status, why, why_len, 400, "a WebSocket upgrade without Sec-WebSocket-Key");
	return 1;
}

const char *upgrade_choose(const upgrade_req *r)
{
	const char *const *mine = spoken(r);
	if (!r->n_offers)
		return ""; /* the protocol's first version, as kubelet's server takes it */
	for (size_t i = 0; i < r->n_offers; i++)
		for (size_t k = 0; mine[k]; k++)
			if (strcmp(r->offers[i], mine[k]) == 0)
				return mine[k];
	return NULL;
}

void upgrade_no_protocol(const upgrade_req *r, char *why, size_t why_len)
{
	char offered[256] = "", accepted[256] = "";
	for (size_t i = 0; i < r->n_offers; i++)
		snprintf(offered + strlen(offered), sizeof(offered) - strlen(offered), "%s%s", i ? " " : "", r->offers[i]);
	const char *const *mine = spoken(r);
	for (size_t k = 0; mine[k]; k++)
		snprintf(accepted + strlen(accepted), sizeof(accepted) - strlen(accepted), "%s%s", k ? " " : "", mine[k]);
	snprintf(why, why_len, "unable to upgrade: unable to negotiate protocol: client supports [%s], server accepts [%s]",
		 offered, accepted);
}

/* RFC 6455: base64 of SHA-1 of the key and its GUID */
static char *ws_accept(const char *key)
{
	_cleanup_cerr_ cerr err = { 0 };
	const struct libcrypto *c = libcrypto(&err);
	if (!c)
		return NULL;
	char in[128];
	unsigned char md[20];
	unsigned len = 0;
	snprintf(in, sizeof(in), "%s" WS_GUID, key);
	if (!c->digest(in, strlen(in), md, &len, c->sha1(), NULL) || len != sizeof(md))
		return NULL;
	return base64_encode(md, sizeof(md));
}

int upgrade_accept(strbuf *out, const upgrade_req *r, const char *protocol)
{
	if (r->to == UPGRADE_SPDY)
		return sb_addf(out, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n%s%s%s\r\n",
			       *protocol ? "X-Stream-Protocol-Version: " : "", protocol, *protocol ? "\r\n" : "");
	_cleanup_free_ char *accept = ws_accept(r->ws_key);
	if (!accept)
		return -1;
	return sb_addf(out,
		       "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
		       "Sec-WebSocket-Accept: %s\r\n%s%s%s\r\n",
		       accept, *protocol ? "Sec-WebSocket-Protocol: " : "", protocol, *protocol ? "\r\n" : "");
}

int upgrade_refuse(strbuf *out, int status, const char *why)
{
	static const struct { int code; const char *text; } texts[] = {
		{ 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 426, "Upgrade Required" }, { 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" }, { 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 503, "Service Unavailable" } };
	const char *text = "Error";
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
		if (texts[i].code == status)
			text = texts[i].text;
	return sb_addf(out, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
		       status, text, strlen(why) + 1, why);
}
