/* libFuzzer target: a build context's Dockerfile (images/dockerfile.c),
 * given without a NUL at its end (ASan sees a read past it), and every word
 * of every instruction split and expanded as a build does (df_expand.c),
 * with variables unset, empty, holding '$' and quotes, and long. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/dockerfile.h"
#include "images/df_expand.h"
#include "common/cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char long_value[8192];

static const char *lookup(const char *name, void *ctx)
{
	(void)ctx;
	switch ((unsigned char)name[0] % 4) {
	case 0: return NULL;
	case 1: return "";
	case 2: return "$a ${b:-'c'} \"d\" \\e";
	default: return long_value;
	}
}

static void expand_words(const char *text, char escape)
{
	_cleanup_strv_ char **words = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (df_split_words(text, escape, &words, &err) < 0)
		return;
	for (char **w = words; *w; w++) {
		if (df_word_len(*w, escape) > strlen(*w))
			abort(); /* a word's length is within it */
		char *out = NULL;
		_cleanup_cerr_ cerr e2 = { 0 };
		if (df_expand(*w, escape, lookup, NULL, &out, &e2) == 0 && strlen(out) > DF_EXPAND_MAX)
			abort();
		free(out);
	}
}

static void visit(const df_instr *in, char escape)
{
	expand_words(in->text, escape);
	for (char **a = in->args; *a; a++) {
		char *out = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		if (df_expand(*a, escape, lookup, NULL, &out, &err) == 0)
			free(out);
	}
	if (in->trigger)
		visit(in->trigger, escape);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!long_value[0])
		memset(long_value, 'x', sizeof(long_value) - 1);
	char *text = malloc(size ? size : 1); /* exactly size */
	if (!text)
		return 0;
	memcpy(text, data, size);
	dockerfile df;
	_cleanup_cerr_ cerr err = { 0 };
	if (dockerfile_parse(text, size, "fuzz", &df, &err) == 0) {
		if (!df.n || (df.escape != '\\' && df.escape != '`'))
			abort();
		for (size_t i = 0; i < df.n; i++)
			visit(&df.instrs[i], df.escape);
		dockerfile_release(&df);
	} else if (!strstr(cerr_msg(&err), "fuzz")) {
		abort(); /* an error names the file, and its line where it has one */
	}
	free(text);
	return 0;
}
