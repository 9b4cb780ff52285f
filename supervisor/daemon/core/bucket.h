/* A token bucket: rate tokens a second, at most burst saved up. The
 * broker's per-member limits (messages and bytes) and the control socket's
 * per-uid limit are each one. */
#pragma once
#include <stdint.h>

typedef struct bucket {
	double rate;  /* tokens a second; 0: no limit */
	double burst; /* at most this many saved */
	double tokens;
	uint64_t last_usec;
} bucket;

/* Full at first. burst 0: one second's worth (at least 1). */
void bucket_init(bucket *b, double rate, double burst, uint64_t now_usec);
/* Take n tokens: 0 when they were there (and are taken), or the seconds
 * until they will be (nothing taken). n above the burst is taken as the
 * burst, so that a large message is slow, not impossible. */
double bucket_take(bucket *b, double n, uint64_t now_usec);
