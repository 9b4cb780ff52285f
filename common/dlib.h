/* A shared library opened on first use, into a table of function pointers:
 * for libraries that only some runs of a program need. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

struct dlib_sym {
	size_t offset; /* of the table's function pointer */
	const char *name;
};
#define DLIB_SYM(type, field, name) { offsetof(type, field), name }

struct dlib {
	const char *name; /* e.g. "libsystemd.so.0" */
	const struct dlib_sym *syms;
	size_t n_syms;
	void *table;
	pthread_mutex_t lock;
	bool tried;
	char failed[256]; /* why it cannot be loaded; "" once loaded */
};
#define DLIB_INIT(lib, s, t) { .name = (lib), .syms = (s), .n_syms = ARRAY_SIZE(s), .table = (t), \
			       .lock = PTHREAD_MUTEX_INITIALIZER }

/* The filled table (loaded at the first call), or NULL with err saying why
 * the library or one of its functions is missing (ELIBACC). */
void *dlib_get(struct dlib *d, cerr *err);
