/* Image names as podman gives and finds them (refs.h): stored names are
 * full, DOMAIN/PATH:TAG, short names under localhost/; a short name finds
 * the stored names whose repository ends in "/" + its own. */
#include "images/refs.h"
#include "images/refs_name.h"
#include "images/registry/reference.h"
#include "common/cleanup.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 64 hex digits read as an image ID: podman refuses them as names. */
static bool looks_like_id(const char *path)
{
	const char *last = strrchr(path, '/');
	last = last ? last + 1 : path;
	if (strlen(last) != DIGEST_HEX_LEN)
		return false;
	for (; *last; last++)
		if (!isxdigit((unsigned char)*last))
			return false;
	return true;
}

char *ref_normalize(const char *name)
{
	/* a name that is a digest would be ambiguous with IDs */
	if (strncmp(name, "sha256:", 7) == 0)
		return NULL;
	reg_ref r;
	_cleanup_cerr_ cerr e = { 0 };
	if (reg_ref_parse(name, &r, &e) < 0 || r.digest[0] || looks_like_id(r.path))
		return NULL;
	if (reg_ref_is_short(&r) && reg_ref_qualify(&r, "localhost", &e) < 0)
		return NULL;
	char out[REF_NAME_MAX + REF_TAG_MAX + 2];
	return reg_ref_string(&r, out, sizeof(out)) < 0 ? NULL : strdup(out);
}

size_t ref_repo_len(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	const char *at = strchr(name, '@');
	if (at && (!colon || at < colon))
		return (size_t)(at - name);
	return colon ? (size_t)(colon - name) : strlen(name);
}

/* repo[0..n) is pat, or ends in "/" + pat: with glob, as fnmatch(3) has it. */
static bool repo_answers(const char *repo, size_t n, const char *pat, bool glob)
{
	char buf[REF_NAME_MAX * 2 + 2];
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, repo, n);
	buf[n] = '\0';
	for (const char *at = buf; at; at = strchr(at, '/')) {
		at += *at == '/';
		if (glob ? fnmatch(pat, at, 0) == 0 : streq(at, pat))
			return true;
	}
	return false;
}

bool ref_short_matches(const char *name, const char *path, const char *tag)
{
	size_t rl = ref_repo_len(name);
	if (tag && (name[rl] != ':' || !streq(name + rl + 1, tag)))
		return false;
	return repo_answers(name, rl, path, false);
}

bool ref_filter_matches(const char *name, const char *pattern)
{
	size_t pl = ref_repo_len(pattern), nl = ref_repo_len(name);
	if (pattern[pl] == '@' || !pl || pl > REF_NAME_MAX * 2)
		return false;
	char prepo[REF_NAME_MAX * 2 + 1];
	snprintf(prepo, sizeof(prepo), "%.*s", (int)pl, pattern);
	bool glob = strpbrk(pattern, "*?[") != NULL;
	reg_ref r;
	_cleanup_cerr_ cerr e = { 0 };
	/* docker.io/busybox is docker.io/library/busybox */
	if (!glob && reg_ref_parse(prepo, &r, &e) == 0 && !reg_ref_is_short(&r))
		reg_ref_repo(&r, prepo, sizeof(prepo));
	if (pattern[pl] == ':' && (name[nl] != ':' || fnmatch(pattern + pl + 1, name + nl + 1, 0) != 0))
		return false;
	return repo_answers(name, nl, prepo, glob);
}

bool refs_name_answers(const char *name, const char *ref)
{
	_cleanup_free_ char *norm = ref_normalize(ref);
	if (norm && streq(norm, name))
		return true;
	reg_ref r;
	_cleanup_cerr_ cerr e = { 0 };
	return reg_ref_parse(ref, &r, &e) == 0 && reg_ref_is_short(&r) && !r.digest[0] &&
	       ref_short_matches(name, r.path, r.tag[0] ? r.tag : "latest");
}
