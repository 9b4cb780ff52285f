#include "json_span.h"
#include "json_scan.h"

/* The value of key among the members at it (the last one), or none. */
static bool find(json_keys *it, const char *key, json_text *found)
{
	json_text k, v;
	int r;
	found->p = NULL;
	while ((r = json_keys_next(it, &k, &v)) == 1)
		if (json_text_is(&k, key))
			*found = v;
	return r == 0 && found->p;
}

bool json_span(const char *text, size_t len, const char *outer, const char *inner, const char **span,
	       size_t *span_len)
{
	json_keys it;
	json_text o, v;
	if (!json_keys_open(&it, text, text + len, 1, false) || !find(&it, outer, &o) ||
	    !json_keys_open(&it, o.p, o.p + o.len, 2, true) || !find(&it, inner, &v) || !v.plain)
		return false;
	*span = v.p;
	*span_len = v.len;
	return true;
}
