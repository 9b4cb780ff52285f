/* libFuzzer target: a CreateContainer's ContainerSpec, as a member sends it
 * to corrald (root): parsed as corrald's varlink parses a message
 * (common/json.c), then read field by field (supervisor/daemon/spec/). A
 * refusal names its field and says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/daemon/spec/ctr_spec.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(text, "params", &v, &err) < 0)
		return 0;
	ctr_spec s;
	json_fault f = { 0 };
	if (ctr_spec_parse(v, "no", 10, &s, &f) == 0)
		ctr_spec_release(&s);
	else if (f.code <= 0 || !f.reason[0])
		abort();
	return 0;
}
