/* Numbers and times as podman prints them for people: "2 minutes ago",
 * "Up 3 hours", "1.5MB"; and tables whose columns fit what they hold. */
#pragma once
#include <stddef.h>
#include <stdio.h>
#include "common/units.h"

/* go-units' HumanDuration: "Less than a second", "About a minute", "3 hours". */
const char *human_duration(long long seconds, char *buf, size_t n);
/* "2 minutes ago" for an RFC 3339 time; "-" when there is none. */
const char *human_ago(const char *rfc3339, char *buf, size_t n);
/* Seconds from an RFC 3339 time until now; -1 when there is none. */
long long human_seconds_since(const char *rfc3339);

/* Rows of cells, printed with each column as wide as its widest cell, two
 * spaces apart: a long name widens its column, and nothing is cut. */
typedef struct ctl_table {
	char ***rows; /* each row's cells, NULL-ended */
	size_t n, cap;
	size_t *widths; /* of each column */
	size_t cols;
} ctl_table;
/* A row from a line whose cells are apart by tabs. */
int table_add_line(ctl_table *t, const char *line);
void table_print(FILE *f, const ctl_table *t);
void table_free(ctl_table *t);
static inline void table_freep(ctl_table *t) { table_free(t); }
#define _cleanup_table_ __attribute__((cleanup(table_freep)))
