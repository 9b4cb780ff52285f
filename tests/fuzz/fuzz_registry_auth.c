/* libFuzzer target: what a registry's authentication sends
 * (images/registry/auth.c): a WWW-Authenticate challenge, and a token
 * server's answer, each given the same bytes. A token that parses is one
 * header line; a Bearer challenge that parses has a realm. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/registry/auth.h"
#include "images/registry/registry_client.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > REG_MAX_TOKEN)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	reg_challenge ch;
	int r = reg_challenge_parse(text, &ch);
	if (r == 0 && ch.bearer && !ch.realm)
		abort();
	if (r != 0 && r != -EPROTO && r != -EPROTONOSUPPORT)
		abort();
	reg_challenge_free(&ch);
	char *tok = NULL;
	long long secs = 0;
	/* the body's length as curl counts it: a NUL inside is refused */
	if (reg_token_parse(text, size, &tok, &secs) == 0) {
		if (!tok || !*tok || strpbrk(tok, "\r\n") || secs < 1 || secs > 7 * 86400)
			abort();
		free(tok);
	} else if (tok) {
		abort();
	}
	free(text);
	return 0;
}
