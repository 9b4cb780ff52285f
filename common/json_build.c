#include "json_build.h"

#include <stdarg.h>

#include "json.h"

static int pairs(yajl_gen g, va_list ap)
{
	int r = 0;
	for (enum jg_kind kind; !r && (kind = (enum jg_kind)va_arg(ap, int)) != JG_KIND_END;) {
		if (kind == JG_KIND_CLOSE) {
			r = yajl_gen_map_close(g);
			continue;
		}
		const char *key = va_arg(ap, const char *);
		switch (kind) {
		case JG_KIND_STR:
			r = jg_key_str(g, key, va_arg(ap, const char *));
			break;
		case JG_KIND_STR_SET: {
			const char *s = va_arg(ap, const char *);
			r = s ? jg_key_str(g, key, s) : 0;
			break;
		}
		case JG_KIND_INT:
			r = jg_key_int(g, key, va_arg(ap, long long));
			break;
		case JG_KIND_BOOL:
			r = jg_key_bool(g, key, va_arg(ap, int));
			break;
		case JG_KIND_TRUE_SET:
			r = va_arg(ap, int) ? jg_key_bool(g, key, true) : 0;
			break;
		case JG_KIND_STRV:
			r = jg_key_strv(g, key, va_arg(ap, char *const *));
			break;
		case JG_KIND_VALUE:
			r = jg_key(g, key) || jg_value(g, va_arg(ap, yajl_val));
			break;
		case JG_KIND_OBJECT:
			r = jg_key(g, key) || yajl_gen_map_open(g);
			break;
		case JG_KIND_END:
		case JG_KIND_CLOSE:
			break;
		}
	}
	return r;
}

int jg_object(yajl_gen g, ...)
{
	va_list ap;
	va_start(ap, g);
	int r = yajl_gen_map_open(g) || pairs(g, ap) || yajl_gen_map_close(g);
	va_end(ap);
	return r;
}
