/* Token buckets (bucket.h). */
#include "supervisor/daemon/core/bucket.h"

void bucket_init(bucket *b, double rate, double burst, uint64_t now_usec)
{
	if (burst <= 0)
		burst = rate < 1 ? 1 : rate;
	*b = (bucket){ .rate = rate, .burst = burst, .tokens = burst, .last_usec = now_usec };
}

double bucket_take(bucket *b, double n, uint64_t now_usec)
{
	if (b->rate <= 0)
		return 0;
	if (now_usec > b->last_usec) {
		b->tokens += (double)(now_usec - b->last_usec) / 1e6 * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last_usec = now_usec;
	}
	if (n > b->burst)
		n = b->burst;
	if (b->tokens >= n) {
		b->tokens -= n;
		return 0;
	}
	return (n - b->tokens) / b->rate;
}
