#include "common/detach_keys.h"

#include <ctype.h>
#include <string.h>

int detach_keys_parse(const char *spec, detach_keys *k)
{
	*k = (detach_keys){ 0 };
	for (const char *p = spec; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char key;
		if (len == 1 && p[0] != ',') {
			key = p[0];
		} else if (len == 6 && !strncmp(p, "ctrl-", 5) && (isalpha((unsigned char)p[5]) || strchr("@[\\]^_", p[5]))) {
			key = (char)(toupper((unsigned char)p[5]) & 0x1f);
		} else {
			return -1;
		}
		if (k->n == DETACH_KEYS_MAX)
			return -1;
		k->keys[k->n++] = key;
		p = comma ? comma + 1 : p + len;
		if (comma && !*p)
			return -1;
	}
	return 0;
}

int detach_keys_filter(detach_keys *k, const char *buf, size_t n, detach_emit_fn emit, void *ctx)
{
	size_t from = 0;
	int r;
	for (size_t i = 0; i < n && k->n; i++) {
		if (buf[i] == k->keys[k->matched]) {
			if (i > from && (r = emit(buf + from, i - from, ctx)) < 0)
				return r;
			from = i + 1;
			if (++k->matched == k->n)
				return 1;
			continue;
		}
		if (k->matched) { /* not the sequence after all: what was held goes */
			if ((r = emit(k->keys, k->matched, ctx)) < 0)
				return r;
			k->matched = 0;
			if (buf[i] == k->keys[0]) {
				if (i > from && (r = emit(buf + from, i - from, ctx)) < 0)
					return r;
				from = i + 1;
				k->matched = 1;
			}
		}
	}
	return n > from ? (emit(buf + from, n - from, ctx) < 0 ? -1 : 0) : 0;
}
