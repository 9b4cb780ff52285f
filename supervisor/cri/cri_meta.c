#include "supervisor/cri/cri_meta.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/timefmt.h"

#include <errno.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int meta_put(yajl_gen g, const char *key, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	_cleanup_free_ uint8_t *bytes = malloc(n + 1);
	_cleanup_free_ char *text = malloc(4 * (n / 3 + 1) + 1);
	if (!bytes || !text)
		return -ENOMEM;
	protobuf_c_message_pack(m, bytes);
	if (b64_ntop(bytes, n, text, 4 * (n / 3 + 1) + 1) < 0)
		return -EINVAL;
	return jg_key_str(g, key, text) ? -ENOMEM : 0;
}

ProtobufCMessage *meta_get(yajl_val labels, const char *key, const ProtobufCMessageDescriptor *d)
{
	const char *text = json_str(labels, key);
	if (!text)
		return NULL;
	size_t len = strlen(text);
	_cleanup_free_ uint8_t *bytes = malloc(len / 4 * 3 + 3);
	if (!bytes)
		return NULL;
	int n = b64_pton(text, bytes, len / 4 * 3 + 3);
	return n < 0 ? NULL : protobuf_c_message_unpack(d, NULL, (size_t)n, bytes);
}


int64_t meta_time_ns(const char *rfc3339)
{
	long long ns;
	if (!rfc3339 || !*rfc3339 || rfc3339_parse(rfc3339, strlen(rfc3339), &ns) < 0 || ns < 0)
		return 0;
	return ns;
}

bool meta_labels_match(meta_kv *const *have, size_t n_have, meta_kv *const *selector, size_t n_selector)
{
	for (size_t i = 0; i < n_selector; i++) {
		bool found = false;
		for (size_t j = 0; j < n_have && !found; j++)
			found = streq(have[j]->key, selector[i]->key) && streq(have[j]->value, selector[i]->value);
		if (!found)
			return false;
	}
	return true;
}

int meta_gen_map(yajl_gen g, const char *key, meta_kv *const *kv, size_t n)
{
	if (jg_key(g, key) || yajl_gen_map_open(g))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (jg_key_str(g, kv[i]->key, kv[i]->value))
			return -ENOMEM;
	return yajl_gen_map_close(g) ? -ENOMEM : 0;
}

int meta_new_pod_id(char out[64])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -EIO;
	for (size_t i = 0; i < 63; i++)
		out[i] = hex[i % 2 ? r[i / 2] & 15 : r[i / 2] >> 4];
	out[63] = '\0';
	return 0;
}
