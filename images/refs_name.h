/* refs_name.c: Image names as podman gives and finds them: stored names are
 * full, DOMAIN/PATH:TAG, short names under localhost/; a short name finds the
 * stored names whose repository ends in "/" + its own. */
#pragma once
#include "images/refs.h"

/* refs_name.c. The full name a name is stored as: DOMAIN/PATH:TAG, short
 * names under localhost/, ":latest" when no tag; NULL if it is no image
 * name (a digest, 64 hex digits, "~", uppercase, ...). */
char *ref_normalize(const char *name);
/* Where a name's repository ends: at its tag's ':' or its '@'. */
size_t ref_repo_len(const char *name);
/* Whether stored name answers to the short name path:tag (a repository
 * that ends in "/" + path; any tag when tag is NULL). */
bool ref_short_matches(const char *name, const char *path, const char *tag);
/* Whether stored name is one that ref finds (its full name, or a short
 * name whose repository it ends with), regardless of other names. */
bool refs_name_answers(const char *name, const char *ref);
/* podman's `images REPO[:TAG]` and reference= filter: the repository is
 * pattern's or ends in "/" + it, and so is the tag when pattern has one;
 * '*', '?' and '[' glob as fnmatch(3) does. */
bool ref_filter_matches(const char *name, const char *pattern);
