/* libFuzzer target: a build context's .dockerignore and its patterns
 * against a path (images/df_ignore.c, images/df_match.c). The input is the
 * .dockerignore, a NUL, then the path. A pattern is never slow: the
 * matcher backtracks only to the last star, which -timeout holds it to. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/df_ignore.h"
#include "images/df_match.h"
#include "common/cleanup.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	_cleanup_free_ char *text = malloc(text_len ? text_len : 1); /* exactly its length */
	_cleanup_free_ char *path = nul ? fuzz_text(nul + 1, size - text_len - 1) : strdup("a/b/c");
	if (!text || !path)
		return 0;
	memcpy(text, data, text_len);
	df_ignore ig;
	_cleanup_cerr_ cerr err = { 0 };
	if (df_ignore_parse(text, text_len, &ig, &err) == 0) {
		df_ignore_excluded(&ig, path);
		for (size_t i = 0; i < ig.n; i++) {
			bool valid = df_glob_valid(ig.patterns[i]);
			if (df_glob_match(ig.patterns[i], path) && !valid)
				abort(); /* a malformed pattern matches nothing */
			if (valid && !df_glob_has_magic(ig.patterns[i]) &&
			    df_glob_match(ig.patterns[i], path) != !strcmp(ig.patterns[i], path))
				abort(); /* with no wildcard, a pattern is the path itself */
		}
		df_ignore_release(&ig);
	}
	return 0;
}
