#include "unmount.h"
#include "cleanup.h"
#include "fileio.h"
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#define UNMOUNT_PASSES 8 /* a pass takes one layer of each stack */
#define UNMOUNT_MAX 256	 /* mounts taken in one pass */

static bool is_octal(char c) { return c >= '0' && c <= '7'; }

/* mountinfo's mount point field, its \ooo escapes (space, tab, newline,
 * backslash) undone, in place */
static char *unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && is_octal(r[1]) && is_octal(r[2]) && is_octal(r[3])) {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

static bool at_or_below(const char *point, const char *dir, size_t len)
{
	return !strncmp(point, dir, len) && (point[len] == '\0' || point[len] == '/');
}

static int deeper_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* The mount points at or below dir, into points (pointers into text). */
static size_t points_below(char *text, const char *dir, char **points)
{
	size_t len = strlen(dir), n = 0;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < UNMOUNT_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		char *field = line;
		for (int i = 0; i < 4 && field; i++) /* id parent major:minor root */
			if ((field = strchr(field, ' ')))
				field++;
		char *end = field ? strchr(field, ' ') : NULL;
		if (!end)
			continue;
		*end = '\0';
		if (at_or_below(unescape(field), dir, len))
			points[n++] = field;
	}
	return n;
}

unsigned unmount_below(const char *dir)
{
	/* mountinfo names mount points by their real paths: a state directory
	 * given through a symlink would match nothing */
	_cleanup_free_ char *real = realpath(dir, NULL);
	if (!real)
		return 0; /* gone already, or unreadable: the removal says what stayed */
	size_t n = 0;
	for (int pass = 0; pass <= UNMOUNT_PASSES; pass++) {
		_cleanup_free_ char *text = NULL;
		if (read_file("/proc/self/mountinfo", 1 << 24, &text, NULL, NULL) < 0)
			return 0; /* no /proc: the removal says what stayed */
		char *points[UNMOUNT_MAX];
		n = points_below(text, real, points);
		if (n == 0 || pass == UNMOUNT_PASSES)
			break;
		qsort(points, n, sizeof(points[0]), deeper_first);
		for (size_t i = 0; i < n; i++)
			umount2(points[i], MNT_DETACH | UMOUNT_NOFOLLOW);
	}
	return (unsigned)n;
}

void log_mounts_naming(const char *what, const char *name)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL; /* an overlay's line runs to kilobytes */
	size_t cap = 0;
	ssize_t len;
	while (f && (len = getline(&line, &cap, f)) > 0)
		if (strstr(line, name))
			log_warn("%s: %.*s", what, (int)(line[len - 1] == '\n' ? len - 1 : len), line);
}
