/* libFuzzer target: config.json parsing and validation (spec_parse), plus a
 * round trip: whatever parses must serialise to JSON that parses again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "bundle/spec_json.h"
#include "bundle/spec_parse.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct oci_spec *s = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (spec_parse(text, &s, &err) == 0) {
		char *json = spec_to_json(s, false);
		if (json) {
			struct oci_spec *again = NULL;
			cerr err2 = { 0 };
			if (spec_parse(json, &again, &err2) < 0) {
				fprintf(stderr, "round trip failed: %s\n%s\n", cerr_msg(&err2), json);
				abort();
			}
			spec_free(again);
			free(json);
		}
		spec_free(s);
	} else if (!err.msg || !err.msg[0]) {
		/* Every refusal must say why. */
		fprintf(stderr, "spec_parse failed without a message\n");
		abort();
	}
	free(text);
	return 0;
}
