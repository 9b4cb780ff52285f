/* Capturing a child's output from a non-blocking pipe, up to a bound. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/strbuf.h"

/* Read what fd has into sb, keeping at most max bytes in all and setting
 * *truncated when more came. Returns 1 at EOF or on an error (the caller
 * stops watching and closes fd), else 0. */
int capture_read(int fd, strbuf *sb, size_t max, bool *truncated);
