#include "supervisor/daemon/containers/record/ctr_names.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

static const char *const adjectives[] = {
	"agile",   "amazing", "bold",    "brave",    "bright",  "busy",    "calm",    "clever",  "cool",
	"curious", "daring",  "eager",   "elated",   "epic",    "fair",    "fancy",   "fervent", "festive",
	"focused", "gallant", "gentle",  "glad",     "golden",  "happy",   "hardy",   "honest",  "hopeful",
	"humble",  "jolly",   "keen",    "kind",     "lively",  "loyal",   "lucid",   "merry",   "mighty",
	"modest",  "nimble",  "noble",   "patient",  "peaceful", "plucky", "polite",  "proud",   "quick",
	"quiet",   "radiant", "serene",  "sharp",    "shiny",   "silent",  "steady",  "stoic",   "sunny",
	"swift",   "tender",  "tidy",    "upbeat",   "vibrant", "vivid",   "warm",    "wise",    "witty",
	"zealous",
};

static const char *const nouns[] = {
	"agnesi",   "archimedes", "babbage",  "bell",     "bohr",     "boole",    "cannon",   "carson",
	"cerf",     "curie",      "darwin",   "dijkstra", "einstein", "euclid",   "euler",    "faraday",
	"fermat",   "fermi",      "feynman",  "franklin", "galileo",  "gauss",    "goodall",  "hamilton",
	"hawking",  "heisenberg", "hopper",   "hypatia",  "jemison",  "johnson",  "kepler",   "knuth",
	"lamarr",   "leakey",     "lovelace", "maxwell",  "mcclintock", "meitner", "mendel",  "mirzakhani",
	"morse",    "newton",     "nobel",    "noether",  "pascal",   "pasteur",  "planck",   "ramanujan",
	"ritchie",  "sagan",      "shannon",  "somerville", "tesla",  "thompson", "torvalds", "turing",
	"volta",    "wilson",     "wozniak",  "wright",   "yalow",    "yonath",
};

#define N_ADJ ARRAY_SIZE(adjectives)
#define N_NOUN ARRAY_SIZE(nouns)

static uint32_t draw(void)
{
	uint32_t r;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)random();
	return r;
}

int ctr_name_generate(ctr_name_taken_fn taken, void *data, char *buf, size_t n)
{
	for (size_t i = 0; i < N_ADJ + N_NOUN; i++) {
		uint32_t r = draw();
		snprintf(buf, n, "%s_%s", adjectives[r % N_ADJ], nouns[(r / N_ADJ) % N_NOUN]);
		if (!taken(buf, data))
			return 0;
	}
	/* crowded: a number makes it unique without bound on the draws */
	uint32_t r = draw();
	for (unsigned k = 2; k < 1000000; k++) {
		snprintf(buf, n, "%s_%s_%u", adjectives[r % N_ADJ], nouns[(r / N_ADJ) % N_NOUN], k);
		if (!taken(buf, data))
			return 0;
	}
	return -EEXIST;
}
