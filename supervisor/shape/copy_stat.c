/* CopyFrom's STAT frame read. */
#include "supervisor/shape/copy_stat.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int copy_stat_parse(const char *json, copy_stat *st)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	long long mode;
	const char *link;
	*st = (copy_stat){ 0 };
	if (json_parse(json, "stat", &v, &err) < 0 || !json_int_in(json_get(v, "size"), 0, LLONG_MAX, &st->size) ||
	    !json_int_in(json_get(v, "mode"), 0, UINT32_MAX, &mode) ||
	    !json_int_in(json_get(v, "mtimeNs"), LLONG_MIN, LLONG_MAX, &st->mtime_ns) ||
	    !(link = json_str(v, "linkTarget")))
		return -EINVAL;
	st->mode = (unsigned)mode;
	return (st->link = strdup(link)) ? 0 : -ENOMEM;
}

void copy_stat_release(copy_stat *st)
{
	free(st->link);
	st->link = NULL;
}
