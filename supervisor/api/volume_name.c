/* A volume's name as a caller reaches it (volume_name.h). */
#include "supervisor/api/volume_name.h"

#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>

const char *volume_shown_name(const char *name, uid_t owner, uid_t viewer, char *buf, size_t n)
{
	if (viewer == 0 && owner != 0)
		snprintf(buf, n, "%s%c%u", name, VOLUME_OWNER_MARK, (unsigned)owner);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

const char *volume_event_name(yajl_val ev, uid_t viewer, char *buf, size_t n)
{
	const char *name = YAJL_GET_STRING(json_get(ev, "name"));
	const char *owner = YAJL_GET_STRING(json_get(json_get(ev, "attributes"), "owner"));
	return volume_shown_name(name ? name : "", owner ? (uid_t)strtoul(owner, NULL, 10) : 0, viewer, buf, n);
}
