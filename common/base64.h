/* Standard base64 (with padding), through libcrypto. */
#pragma once
#include <stddef.h>

/* Decode text into out (room for max + 2 bytes): the length; -EFBIG when it
 * decodes to more than max, -EINVAL when text is not base64, -ELIBACC
 * without libcrypto. */
long base64_decode(const char *text, size_t len, unsigned char *out, size_t max);
/* Encode n bytes into a NUL-terminated string (malloc'd), or NULL. */
char *base64_encode(const void *data, size_t n);
