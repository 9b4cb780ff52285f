#include "images/registry/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* alpha-numeric (separator alpha-numeric)*, separator [_.] | __ | -+ */
static bool path_component_ok(const char *s, size_t n)
{
	size_t i = 0;
	if (!n || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !lower_alnum(s[j]))
			j++;
		size_t sep = j - i;
		bool dashes = strspn(s + i, "-") >= sep;
		if (!(dashes || (sep == 1 && (s[i] == '.' || s[i] == '_')) || (sep == 2 && !strncmp(s + i, "__", 2))))
			return false;
		i = j;
	}
	return true;
}

static bool domain_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t host = colon ? (size_t)(colon - s) : n;
	if (!host)
		return false;
	for (size_t i = 0, start = 0; i <= host; i++) {
		if (i < host && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return false;
			continue;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	if (colon) {
		size_t p = n - host - 1;
		if (!p || p > 5 || strspn(colon + 1, "0123456789") < p)
			return false;
	}
	return true;
}

bool reg_is_domain(const char *c, size_t len)
{
	return memchr(c, '.', len) || memchr(c, ':', len) || (len == 9 && !strncmp(c, "localhost", 9));
}

static bool tag_ok(const char *t)
{
	size_t n = strlen(t);
	if (!n || n > REF_TAG_MAX || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && !strchr("_.-", t[i]))
			return false;
	return true;
}

static bool digest_ok(const char *d)
{
	if (strncmp(d, "sha256:", 7) || strlen(d) != 7 + 64)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int reg_ref_parse(const char *s, reg_ref *r, cerr *err)
{
	memset(r, 0, sizeof(*r));
	char buf[REF_NAME_MAX + REF_TAG_MAX + 80];
	if (!*s)
		return cerr_set(err, EINVAL, "empty image reference");
	if (strlen(s) >= sizeof(buf))
		return cerr_set(err, EINVAL, "image reference %.60s...: too long", s);
	strcpy(buf, s);
	char *at = strchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (!digest_ok(at))
			return cerr_set(err, EINVAL, "%s: digest must be sha256:<64 lowercase hex>", s);
		strcpy(r->digest, at);
	}
	char *slash = strrchr(buf, '/');
	char *colon = strrchr(slash ? slash : buf, ':');
	if (colon) {
		*colon++ = '\0';
		if (!tag_ok(colon))
			return cerr_set(err, EINVAL, "%s: invalid tag \"%.140s\"", s, colon);
		strcpy(r->tag, colon);
	}
	char *name = buf;
	char *first = strchr(name, '/');
	if (first && reg_is_domain(name, (size_t)(first - name))) {
		if (!domain_ok(name, (size_t)(first - name)))
			return cerr_set(err, EINVAL, "%s: invalid registry \"%.*s\"", s, (int)(first - name), name);
		snprintf(r->domain, sizeof(r->domain), "%.*s", (int)(first - name), name);
		name = first + 1;
	}
	if (strlen(name) + strlen(r->domain) + 1 > REF_NAME_MAX)
		return cerr_set(err, EINVAL, "%s: name longer than %d characters", s, REF_NAME_MAX);
	for (char *c = name;;) {
		char *e = strchrnul(c, '/');
		if (!path_component_ok(c, (size_t)(e - c)))
			return cerr_set(err, EINVAL, "%s: invalid name component \"%.*s\" (lowercase letters, digits and . _ -)",
					s, (int)(e - c), c);
		if (!*e)
			break;
		c = e + 1;
	}
	snprintf(r->path, sizeof(r->path), "%s", name);
	return r->domain[0] ? reg_ref_qualify(r, r->domain, err) : 0;
}

int reg_ref_qualify(reg_ref *r, const char *domain, cerr *err)
{
	if (!strcmp(domain, "index.docker.io"))
		domain = "docker.io";
	bool library = !strcmp(domain, "docker.io") && !strchr(r->path, '/');
	char path[sizeof(r->path)];
	if (snprintf(path, sizeof(path), "%s%s", library ? "library/" : "", r->path) >= (int)sizeof(path) ||
	    strlen(domain) + 1 + strlen(path) > REF_NAME_MAX)
		return cerr_set(err, EINVAL, "%s/%s: name longer than %d characters", domain, r->path, REF_NAME_MAX);
	if (r->domain != domain)
		snprintf(r->domain, sizeof(r->domain), "%s", domain);
	memcpy(r->path, path, sizeof(path));
	return 0;
}

int reg_ref_repo(const reg_ref *r, char *out, size_t n)
{
	int w = snprintf(out, n, "%s%s%s", r->domain, r->domain[0] ? "/" : "", r->path);
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

int reg_ref_string(const reg_ref *r, char *out, size_t n)
{
	const char *tag = r->tag[0] ? r->tag : r->digest[0] ? "" : "latest";
	int w = snprintf(out, n, "%s%s%s%s%s%s%s", r->domain, r->domain[0] ? "/" : "", r->path, *tag ? ":" : "", tag,
			 r->digest[0] ? "@" : "", r->digest);
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

const char *reg_domain_host(const char *domain)
{
	return !strcmp(domain, "docker.io") ? "registry-1.docker.io" : domain;
}

void reg_auth_key(const char *key, char *out, size_t n)
{
	const char *p = strstr(key, "://");
	p = p ? p + 3 : key;
	size_t len = strcspn(p, "/");
	snprintf(out, n, "%.*s", (int)len, p);
	if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io"))
		snprintf(out, n, "docker.io");
}
