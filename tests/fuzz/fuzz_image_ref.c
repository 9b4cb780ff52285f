/* libFuzzer target: image references as a client or a registry sends them
 * (images/registry/reference.c, images/refs_name.c): parsed, qualified,
 * printed and parsed again. What reg_ref_string prints must parse back to
 * the same reference, and what ref_normalize keeps must be its own
 * normal form: a name the store writes is one it can read.
 * The input is one reference, or "NAME\nREF" for the name matchers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "images/refs.h"
#include "images/refs_name.h"
#include "images/registry/reference.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* what callers give reg_ref_string and reg_ref_repo (refs_name.c) */
#define REF_REPO_LEN (REF_NAME_MAX + 1)
#define REF_STRING_LEN (REF_NAME_MAX + REF_TAG_MAX + 2)
#define REF_TEXT_MAX 600 /* pull.h's reference */

static bool same(const reg_ref *a, const reg_ref *b)
{
	return !strcmp(a->domain, b->domain) && !strcmp(a->path, b->path) && !strcmp(a->digest, b->digest) &&
	       (!strcmp(a->tag, b->tag) || (!a->tag[0] && !a->digest[0] && !strcmp(b->tag, "latest")));
}

/* Printed, r parses back to itself. */
static void round_trip(const reg_ref *r)
{
	char out[REF_TEXT_MAX], repo[REF_REPO_LEN];
	if (reg_ref_string(r, out, sizeof(out)) < 0 || reg_ref_repo(r, repo, sizeof(repo)) < 0)
		abort(); /* a parsed reference always fits */
	if (!r->digest[0] && strlen(out) >= REF_STRING_LEN)
		abort();
	if (strncmp(out, repo, strlen(repo)))
		abort();
	reg_ref back;
	_cleanup_cerr_ cerr err = { 0 };
	if (reg_ref_parse(out, &back, &err) < 0) {
		fprintf(stderr, "round trip: \"%s\" does not parse: %s\n", out, cerr_msg(&err));
		abort();
	}
	if (!same(r, &back)) {
		fprintf(stderr, "round trip: \"%s\" parses as %s / %s : %s @ %s\n", out, back.domain, back.path,
			back.tag, back.digest);
		abort();
	}
}

static void one(const char *s)
{
	reg_ref r;
	_cleanup_cerr_ cerr err = { 0 };
	if (reg_ref_parse(s, &r, &err) == 0) {
		round_trip(&r);
		(void)reg_domain_host(r.domain);
		if (reg_ref_is_short(&r)) {
			static const char *const under[] = { "docker.io", "index.docker.io", "localhost", "quay.io",
							     "127.0.0.1:5000" };
			for (size_t i = 0; i < sizeof(under) / sizeof(under[0]); i++) {
				reg_ref q = r;
				_cleanup_cerr_ cerr e = { 0 };
				if (reg_ref_qualify(&q, under[i], &e) == 0)
					round_trip(&q);
			}
		}
	}
	char key[256];
	reg_auth_key(s, key, sizeof(key));
	(void)reg_is_domain(s, strlen(s));
	_cleanup_free_ char *norm = ref_normalize(s);
	if (norm) {
		_cleanup_free_ char *again = ref_normalize(norm);
		if (!again || strcmp(again, norm)) {
			fprintf(stderr, "ref_normalize(\"%s\") = \"%s\", then \"%s\"\n", s, norm, again ? again : "(none)");
			abort();
		}
		if (!refs_name_answers(norm, s) || !refs_name_answers(norm, norm))
			abort();
	}
	size_t n = ref_repo_len(s);
	if (n > strlen(s))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 * REF_TEXT_MAX)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	one(text);
	char *nl = strchr(text, '\n');
	if (nl) { /* NAME\nREF: the store's name against what a client asks */
		*nl = '\0';
		one(nl + 1);
		(void)refs_name_answers(text, nl + 1);
		(void)ref_filter_matches(text, nl + 1);
		(void)ref_short_matches(text, nl + 1, NULL);
	}
	free(text);
	return 0;
}
