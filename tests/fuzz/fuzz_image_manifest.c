/* libFuzzer target: the image metadata parsers (OCI index, manifest, image
 * config, docker-archive manifest.json) on the same untrusted bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/manifest.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > IMG_MAX_JSON)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	_cleanup_cerr_ cerr err = { 0 };
	img_index idx;
	if (index_parse(text, "fuzz", &idx, &err) == 0) {
		for (size_t i = 0; i < idx.n; i++)
			(void)mt_is_manifest(idx.m[i].media_type);
		index_free(&idx);
	}
	cerr_clear(&err);
	img_manifest m;
	if (manifest_parse(text, "fuzz", &m, &err) == 0)
		manifest_free(&m);
	cerr_clear(&err);
	img_config c;
	if (img_config_parse(text, "fuzz", &c, &err) == 0)
		img_config_free(&c);
	cerr_clear(&err);
	docker_manifest d;
	if (docker_manifest_parse(text, "fuzz", &d, &err) == 0)
		docker_manifest_free(&d);
	free(text);
	return 0;
}
