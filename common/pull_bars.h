/* A pull's progress on a terminal, as podman draws it: one line per layer
 * with the bytes done, the total and the speed, redrawn in place. The
 * pull writes "layer DIGEST DONE TOTAL" lines into `in`; a thread draws. */
#pragma once
#include <pthread.h>
#include <stdio.h>

typedef struct pull_bars {
	FILE *in;
	int rfd;
	pthread_t th;
	int started;
} pull_bars;

int pull_bars_start(pull_bars *b);
/* Draw the last state and stop; safe to call twice. */
void pull_bars_end(pull_bars *b);
