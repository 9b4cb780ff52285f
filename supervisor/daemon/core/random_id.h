/* The random ids corrald makes (containers, jobs, execs, volumes, tokens):
 * hex digits of the kernel's random bytes. */
#pragma once
#include <stddef.h>

/* hex: 2*n hex digits of n random bytes, and a NUL; -EIO when the kernel
 * had none (a secret, or a name that must not repeat, is not made). */
int random_hex(char *hex, size_t n);
/* random_hex, with random()'s bytes when the kernel had none: for an id
 * that must be made, which names and does not guard. */
void random_hex_id(char *hex, size_t n);
