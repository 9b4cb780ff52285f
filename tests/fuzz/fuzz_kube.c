/* libFuzzer target: kube_parse on untrusted manifest bytes, given without a
 * NUL at their end (as corrald gets them), so a read past len is caught. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/daemon/workloads/kube.h"
#include "supervisor/daemon/workloads/kube_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > KUBE_TEXT_MAX)
		return 0;
	char *text = malloc(size ? size : 1); /* exactly size: ASan sees a read past it */
	if (!text)
		return 0;
	memcpy(text, data, size);
	kube_set s;
	_cleanup_cerr_ cerr err = { 0 };
	if (kube_parse("fuzz.yaml", text, size, &s, &err) == 0)
		kube_set_release(&s);
	free(text);
	return 0;
}
