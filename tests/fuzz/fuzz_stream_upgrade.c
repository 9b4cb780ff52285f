/* libFuzzer target: the head of a request to the streaming server
 * (supervisor/stream/upgrade.c), as serve.c gives it: the bytes so far,
 * NUL-terminated. A head parsed has its token, offers and key within their
 * bounds and its length within what came; each answer is built. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/stream/upgrade.h"
#include "common/cleanup.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	upgrade_req r = { 0 };
	int status = 0;
	char why[256] = "";
	int p = upgrade_parse(text, size, &r, &status, why, sizeof(why));
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	if (p < 0) {
		if (status < 400 || status > 599 || !why[0])
			abort();
		upgrade_refuse(&out, status, why);
		return 0;
	}
	if (p == 0) {
		if (size > UPGRADE_MAX_HEAD)
			abort(); /* an unended head past the bound is refused */
		return 0;
	}
	if (r.head_len == 0 || r.head_len > size || r.n_offers > UPGRADE_MAX_OFFERS ||
	    strlen(r.token) > UPGRADE_TOKEN_MAX || !r.token[0])
		abort();
	const char *protocol = upgrade_choose(&r);
	if (protocol)
		upgrade_accept(&out, &r, protocol);
	else
		upgrade_no_protocol(&r, why, sizeof(why));
	return 0;
}
