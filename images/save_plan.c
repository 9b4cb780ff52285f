#include "images/save_plan.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (streq(*v, s))
			return true;
	return false;
}

void save_plan_free(save_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++)
		strv_free(e[i].names);
	free(e);
}

int save_plan(const char *const *ids, const char *const *names, size_t n, save_entry **out, size_t *n_out)
{
	save_entry *e = calloc(n ? n : 1, sizeof(*e));
	size_t k = 0;
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t at = 0;
		while (at < k && !streq(ids[e[at].first], ids[i]))
			at++;
		if (at == k)
			e[k++].first = i;
		if (!names[i] || has(e[at].names, names[i]))
			continue;
		char *dup = strdup(names[i]);
		if (!dup || strv_push(&e[at].names, dup) < 0) {
			free(dup);
			save_plan_free(e, k);
			return -ENOMEM;
		}
	}
	*out = e;
	*n_out = k;
	return 0;
}
