#include "common/base64.h"
#include "common/libcrypto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

long base64_decode(const char *text, size_t len, unsigned char *out, size_t max)
{
	_cleanup_cerr_ cerr err = { 0 };
	const struct libcrypto *ssl = libcrypto(&err);
	if (!ssl)
		return -ELIBACC;
	if (len / 4 * 3 > max + 2)
		return -EFBIG;
	if (len % 4 || strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != len)
		return -EINVAL;
	if (len == 0)
		return 0;
	int n = ssl->decode_block(out, (const unsigned char *)text, (int)len);
	if (n < 0)
		return -EINVAL;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	n -= (text[len - 1] == '=') + (text[len - 2] == '=');
	return (size_t)n > max ? -EFBIG : n;
}

char *base64_encode(const void *data, size_t n)
{
	_cleanup_cerr_ cerr err = { 0 };
	const struct libcrypto *ssl = libcrypto(&err);
	char *out = ssl && n < (1u << 30) ? malloc((n + 2) / 3 * 4 + 1) : NULL;
	if (out)
		ssl->encode_block((unsigned char *)out, data, (int)n);
	return out;
}
