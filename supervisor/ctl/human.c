/* Numbers, times and tables for people (see human.h). */
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/timefmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *human_duration(long long s, char *buf, size_t n)
{
	long long m = s / 60, h = (s + 1800) / 3600; /* go-units rounds hours */
	if (s < 1)
		snprintf(buf, n, "Less than a second");
	else if (s == 1)
		snprintf(buf, n, "1 second");
	else if (s < 60)
		snprintf(buf, n, "%lld seconds", s);
	else if (m == 1)
		snprintf(buf, n, "About a minute");
	else if (m < 60)
		snprintf(buf, n, "%lld minutes", m);
	else if (h == 1)
		snprintf(buf, n, "About an hour");
	else if (h < 48)
		snprintf(buf, n, "%lld hours", h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, n, "%lld days", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(buf, n, "%lld weeks", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(buf, n, "%lld months", h / 24 / 30);
	else
		snprintf(buf, n, "%lld years", h / 24 / 365);
	return buf;
}

long long human_seconds_since(const char *rfc3339)
{
	long long ns;
	if (!rfc3339 || rfc3339_parse(rfc3339, strlen(rfc3339), &ns) < 0)
		return -1;
	long long d = (long long)time(NULL) - ns / 1000000000ll;
	return d < 0 ? 0 : d;
}

const char *human_ago(const char *rfc3339, char *buf, size_t n)
{
	long long d = human_seconds_since(rfc3339);
	if (d < 0)
		return snprintf(buf, n, "-"), buf;
	char dur[48];
	snprintf(buf, n, "%s ago", human_duration(d, dur, sizeof(dur)));
	return buf;
}

/* Columns count characters, not bytes: a UTF-8 name is as wide as it looks. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

int table_add_line(ctl_table *t, const char *line)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char ***rows = realloc(t->rows, cap * sizeof(*rows));
		if (!rows)
			return -1;
		t->rows = rows;
		t->cap = cap;
	}
	size_t cells = 1;
	for (const char *p = line; (p = strchr(p, '\t')); p++)
		cells++;
	char **row = calloc(cells + 1, sizeof(char *));
	if (!row)
		return -1;
	t->rows[t->n++] = row;
	for (size_t c = 0; c < cells; c++) {
		size_t len = strcspn(line, "\t");
		if (!(row[c] = strndup(line, len)))
			return -1;
		line += len + 1;
	}
	if (cells > t->cols) {
		size_t *w = realloc(t->widths, cells * sizeof(size_t));
		if (!w)
			return -1;
		memset(w + t->cols, 0, (cells - t->cols) * sizeof(size_t));
		t->widths = w;
		t->cols = cells;
	}
	for (size_t c = 0; c < cells; c++)
		if (width(row[c]) > t->widths[c])
			t->widths[c] = width(row[c]);
	return 0;
}

void table_print(FILE *f, const ctl_table *t)
{
	for (size_t r = 0; r < t->n; r++) {
		char **row = t->rows[r];
		for (size_t c = 0; row[c]; c++) {
			fputs(row[c], f);
			/* the last column is not padded: no trailing blanks */
			if (row[c + 1])
				fprintf(f, "%*s", (int)(t->widths[c] - width(row[c]) + 2), "");
		}
		fputc('\n', f);
	}
}

void table_free(ctl_table *t)
{
	for (size_t r = 0; r < t->n; r++)
		strv_free(t->rows[r]);
	free(t->rows);
	free(t->widths);
	*t = (ctl_table){ 0 };
}
