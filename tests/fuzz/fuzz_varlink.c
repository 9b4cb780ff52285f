/* libFuzzer target: what a varlink peer sends corrald. The bytes go through
 * the framer in uneven chunks; each framed message is parsed as a call and
 * as a reply, and a call's parameters as a CreateContainer spec. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/varlink/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_message(const char *msg, size_t len)
{
	_cleanup_cerr_ cerr err = { 0 };
	vl_message m = { 0 };
	if (vl_message_parse(msg, len, &m, &err) == 0) {
		if (!m.method || !m.params)
			abort(); /* a parsed call always has both */
		ctr_spec spec;
		memset(&spec, 0, sizeof(spec));
		json_fault f = { 0 };
		if (ctr_spec_parse(m.params, "no", 10, &spec, &f) == 0)
			ctr_spec_release(&spec);
		else if (!f.code || !f.reason[0])
			abort(); /* every refusal says why */
		vl_message_release(&m);
	} else if (!err.msg) {
		abort();
	} else {
		vl_message_release(&m); /* -EILSEQ (a parameter's NUL) leaves it parsed */
	}
	cerr_clear(&err);
	vl_reply r = { 0 };
	if (vl_reply_parse(msg, len, &r, &err) == 0)
		vl_reply_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vl_framer f;
	vl_framer_init(&f, 1u << 16);
	/* feed in chunks whose sizes come from the data itself */
	size_t off = 0;
	while (off < size) {
		size_t n = 1 + (data[off] % 97);
		if (n > size - off)
			n = size - off;
		if (vl_framer_feed(&f, data + off, n) < 0)
			break;
		off += n;
		char *msg;
		size_t len;
		int r;
		while ((r = vl_framer_next(&f, &msg, &len)) == 1)
			one_message(msg, len);
		if (r < 0)
			break; /* oversized: corrald disconnects */
	}
	vl_framer_release(&f);
	return 0;
}
