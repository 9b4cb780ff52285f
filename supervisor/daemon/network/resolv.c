#include "supervisor/daemon/network/resolv.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HOST_MAX (64 * 1024)
#define LINES_MAX 1024

/* The word after key at the start of line (up to the line's end), or NULL. */
static const char *value_of(const char *line, size_t len, const char *key, size_t *vlen)
{
	size_t k = strlen(key);
	if (len <= k || strncmp(line, key, k) || (line[k] != ' ' && line[k] != '\t'))
		return NULL;
	const char *v = line + k;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	size_t n = 0;
	while (v + n < line + len && v[n] != ' ' && v[n] != '\t' && v[n] != '#' && v[n] != ';')
		n++;
	*vlen = n;
	return v;
}

static bool loopback(const char *ip, size_t n)
{
	return (n >= 4 && !strncmp(ip, "127.", 4)) || (n == 3 && !strncmp(ip, "::1", 3));
}

/* Each line of text, at most LINES_MAX, to fn; stops at fn's error. */
static int each_line(const char *text, int (*fn)(const char *line, size_t len, void *ud), void *ud)
{
	const char *p = text;
	for (unsigned i = 0; p && *p && i < LINES_MAX; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int r = fn(p, len, ud);
		if (r != 0)
			return r;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int stub_only(const char *line, size_t len, void *ud)
{
	size_t n;
	const char *v = value_of(line, len, "nameserver", &n);
	if (v)
		*(bool *)ud = n == 10 && !strncmp(v, "127.0.0.53", 10);
	return v && !*(bool *)ud; /* a real server: stop, not the stub's */
}

int resolv_read_host(const char *etc, const char *resolved, char **out, cerr *err)
{
	*out = NULL;
	size_t len;
	int r = read_file_if_there(AT_FDCWD, etc, HOST_MAX, out, &len, err);
	if (r < 0)
		return r;
	if (!*out)
		return (*out = strdup("")) ? 0 : -ENOMEM;
	bool stub = false;
	if (each_line(*out, stub_only, &stub) == 0 && stub) {
		char *real = NULL;
		_cleanup_cerr_ cerr e2 = { 0 };
		if (read_file(resolved, HOST_MAX, &real, &len, &e2) == 0) {
			free(*out);
			*out = real;
		}
	}
	return 0;
}

struct render { strbuf *out; bool own_dns, own_search, own_options; };

static int keep_line(const char *line, size_t len, void *ud)
{
	struct render *st = ud;
	size_t n;
	const char *v = value_of(line, len, "nameserver", &n);
	if (v) {
		if (st->own_dns || !n || loopback(v, n))
			return 0;
		return sb_addf(st->out, "nameserver %.*s\n", (int)n, v);
	}
	if (((value_of(line, len, "search", &n) || value_of(line, len, "domain", &n)) && !st->own_search) ||
	    (value_of(line, len, "options", &n) && !st->own_options))
		return sb_addf(st->out, "%.*s\n", (int)len, line);
	return 0;
}

static int add_words(strbuf *out, const char *key, char *const *v)
{
	int r = sb_adds(out, key);
	for (char *const *w = v; r == 0 && *w; w++)
		r = sb_addf(out, " %s", *w);
	return r < 0 ? r : sb_adds(out, "\n");
}

int resolv_render(const char *host, char *const *dns, char *const *search, char *const *options, strbuf *out)
{
	struct render st = { out, dns && dns[0], search && search[0], options && options[0] };
	int r = each_line(host ? host : "", keep_line, &st);
	for (char *const *d = dns; r == 0 && d && *d; d++)
		r = sb_addf(out, "nameserver %s\n", *d);
	if (r == 0 && st.own_search)
		r = add_words(out, "search", search);
	if (r == 0 && st.own_options)
		r = add_words(out, "options", options);
	return r < 0 ? r : sb_adds(out, "");
}
