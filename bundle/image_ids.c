/* The entries of an /etc/passwd or /etc/group's text (image_ids.h). */
#include "bundle/image_ids.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool image_ids_next(id_reader *r)
{
	while (r->rest) {
		char *p = strsep(&r->rest, "\n"), **fields[] = { &r->name, NULL, &r->id, &r->fourth };
		size_t i;
		for (i = 0; i < ARRAY_SIZE(fields) && p; i++) {
			if (fields[i])
				*fields[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (i == ARRAY_SIZE(fields)) {
			r->more = p;
			return true;
		}
	}
	return false;
}

int image_id_parse(const char *s, uint32_t *out)
{
	if (!*s || s[strspn(s, "0123456789")])
		return 0;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno || v >= UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 1;
}

int image_id_lookup(char *text, const char *name, uint32_t *id)
{
	id_reader r = { .rest = text };
	while (image_ids_next(&r))
		if (streq(r.name, name) && image_id_parse(r.id, id) > 0)
			return 0;
	return -ENOENT;
}
