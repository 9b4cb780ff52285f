#include "supervisor/daemon/core/random_id.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

/* The n bytes at hex's start, spelled out in place: from the last, so
 * each byte is read before its digits land (at 2i and 2i+1, past it). */
static void spell(char *hex, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	hex[2 * n] = '\0';
	for (size_t i = n; i-- > 0;) {
		unsigned char b = (unsigned char)hex[i];
		hex[2 * i] = digits[b >> 4];
		hex[2 * i + 1] = digits[b & 15];
	}
}

int random_hex(char *hex, size_t n)
{
	if (getrandom(hex, n, 0) != (ssize_t)n)
		return -EIO;
	spell(hex, n);
	return 0;
}

void random_hex_id(char *hex, size_t n)
{
	if (getrandom(hex, n, 0) != (ssize_t)n)
		for (size_t i = 0; i < n; i++)
			hex[i] = (char)random();
	spell(hex, n);
}
