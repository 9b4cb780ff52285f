/* SPDY/3's name/value blocks (spdy.h): a count, then each name and value
 * with a 4-byte length, the whole compressed on the session's zlib stream
 * of that direction, primed with SPDY/3's dictionary. Inflating is bounded:
 * a block that grows past the caller's limit (a compression bomb) ends
 * there. */
#include "supervisor/stream/spdy.h"
#include "supervisor/stream/spdy_headers.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* SPDY/3's dictionary: these words, each with its length before it (4
 * bytes, big-endian), then the tail as it is */
static const char *const dict_words[] = {
	"options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
	"accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
	"content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
	"content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
	"if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
	"max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
	"server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
	"www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
	"keep-alive", "origin",
};
static const char dict_tail[] =
	"100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
	"203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
	"403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
	"Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
	"chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
	"text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

#define DICT_MAX 1536

const uint8_t *spdy_dictionary(size_t *len)
{
	static uint8_t dict[DICT_MAX];
	static size_t n;
	if (!n) {
		for (size_t i = 0; i < sizeof(dict_words) / sizeof(*dict_words); i++) {
			size_t w = strlen(dict_words[i]);
			dict[n] = dict[n + 1] = dict[n + 2] = 0, dict[n + 3] = (uint8_t)w;
			memcpy(dict + n + 4, dict_words[i], w);
			n += 4 + w;
		}
		memcpy(dict + n, dict_tail, sizeof(dict_tail) - 1);
		n += sizeof(dict_tail) - 1;
	}
	*len = n;
	return dict;
}

void spdy_zlib_release(spdy_zlib *z)
{
	if (z->in_ready)
		inflateEnd(&z->in);
	if (z->out_ready)
		deflateEnd(&z->out);
	z->in_ready = z->out_ready = false;
}

void spdy_headers_release(spdy_headers *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		free(hs->h[i].name), free(hs->h[i].value);
	free(hs->h);
	*hs = (spdy_headers){ 0 };
}

const char *spdy_header_get(const spdy_headers *hs, const char *name)
{
	for (size_t i = 0; i < hs->n; i++)
		if (strcmp(hs->h[i].name, name) == 0)
			return hs->h[i].value;
	return NULL;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* The block, inflated, into out (at most max bytes) */
static int inflate_block(spdy_zlib *z, const uint8_t *p, size_t n, size_t max, strbuf *out, cerr *err)
{
	if (!z->in_ready) {
		if (inflateInit(&z->in) != Z_OK)
			return cerr_set(err, ENOMEM, "SPDY: no memory for zlib");
		z->in_ready = true;
	}
	z->in.next_in = (Bytef *)p;
	z->in.avail_in = (uInt)n;
	for (;;) {
		if (out->len >= max)
			return cerr_set(err, EMSGSIZE, "SPDY: a header block past %zu bytes inflated", max);
		if (sb_grow(out, 4096) < 0)
			return cerr_set(err, ENOMEM, "SPDY: out of memory");
		size_t room = out->cap - out->len - 1;
		if (room > max - out->len + 1)
			room = max - out->len + 1; /* one past: what is past max is seen */
		z->in.next_out = (Bytef *)out->buf + out->len;
		z->in.avail_out = (uInt)room;
		int r = inflate(&z->in, Z_SYNC_FLUSH);
		out->len += room - z->in.avail_out;
		if (r == Z_NEED_DICT) {
			size_t dn;
			const uint8_t *d = spdy_dictionary(&dn);
			if (inflateSetDictionary(&z->in, d, (uInt)dn) != Z_OK)
				return cerr_set(err, EPROTO, "SPDY: a header block of another dictionary");
			continue;
		}
		if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END)
			return cerr_set(err, EPROTO, "SPDY: a header block that does not inflate (%s)", z->in.msg ? z->in.msg : "zlib");
		if (out->len > max)
			return cerr_set(err, EMSGSIZE, "SPDY: a header block past %zu bytes inflated", max);
		if (r == Z_STREAM_END || (z->in.avail_in == 0 && (z->in.avail_out != 0 || r == Z_BUF_ERROR)))
			return 0;
		if (r == Z_BUF_ERROR) /* input left, room left, and no progress: never loop on it */
			return cerr_set(err, EPROTO, "SPDY: a header block that does not inflate");
	}
}

int spdy_headers_decode(spdy_zlib *z, const uint8_t *p, size_t n, size_t max, size_t max_pairs, spdy_headers *hs,
			cerr *err)
{
	*hs = (spdy_headers){ 0 };
	_cleanup_strbuf_ strbuf raw = STRBUF_INIT;
	if (inflate_block(z, p, n, max, &raw, err) < 0)
		return -1;
	const uint8_t *b = (const uint8_t *)raw.buf, *end = b + raw.len;
	if (end - b < 4)
		return cerr_set(err, EPROTO, "SPDY: a header block without its count");
	uint32_t count = be32(b);
	b += 4;
	if (count > max_pairs)
		return cerr_set(err, EMSGSIZE, "SPDY: a header block of %u pairs, past %zu", count, max_pairs);
	if (!(hs->h = calloc(count + 1, sizeof(*hs->h))))
		return cerr_set(err, ENOMEM, "SPDY: out of memory");
	for (uint32_t i = 0; i < count; i++) {
		char **parts[2] = { &hs->h[i].name, &hs->h[i].value };
		hs->n++; /* counted first: a pair cut short is released whole */
		for (int k = 0; k < 2; k++) {
			if (end - b < 4 || be32(b) > (size_t)(end - b - 4)) {
				spdy_headers_release(hs);
				return cerr_set(err, EPROTO, "SPDY: header pair %u runs past its block", i);
			}
			uint32_t len = be32(b);
			if ((k == 0 && !len) || !(*parts[k] = strndup((const char *)b + 4, len))) {
				spdy_headers_release(hs);
				return cerr_set(err, EPROTO, "SPDY: header pair %u: %s", i, len ? "out of memory" : "an empty name");
			}
			b += 4 + len;
		}
	}
	return 0;
}

static int put32(strbuf *sb, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	return sb_add(sb, p, 4);
}

int spdy_headers_encode(spdy_zlib *z, const spdy_header *h, size_t n, strbuf *out)
{
	if (!z->out_ready) {
		size_t dn;
		const uint8_t *d = spdy_dictionary(&dn);
		if (deflateInit(&z->out, Z_DEFAULT_COMPRESSION) != Z_OK)
			return -1;
		z->out_ready = true;
		if (deflateSetDictionary(&z->out, d, (uInt)dn) != Z_OK)
			return -1;
	}
	_cleanup_strbuf_ strbuf raw = STRBUF_INIT;
	if (put32(&raw, (uint32_t)n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (put32(&raw, (uint32_t)strlen(h[i].name)) < 0 || sb_adds(&raw, h[i].name) < 0 ||
		    put32(&raw, (uint32_t)strlen(h[i].value)) < 0 || sb_adds(&raw, h[i].value) < 0)
			return -1;
	z->out.next_in = (Bytef *)raw.buf;
	z->out.avail_in = (uInt)raw.len;
	do {
		if (sb_grow(out, deflateBound(&z->out, (uLong)raw.len) + 64) < 0)
			return -1;
		size_t room = out->cap - out->len - 1;
		z->out.next_out = (Bytef *)out->buf + out->len;
		z->out.avail_out = (uInt)room;
		if (deflate(&z->out, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
			return -1;
		out->len += room - z->out.avail_out;
	} while (z->out.avail_out == 0);
	out->buf[out->len] = '\0';
	return 0;
}
