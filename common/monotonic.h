/* The monotonic clock, for deadlines and durations: it never goes back,
 * nor jumps with the wall clock. */
#pragma once
#include <stdint.h>
#include <time.h>

static inline uint64_t mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline int64_t mono_ms(void) { return (int64_t)(mono_usec() / 1000u); }
