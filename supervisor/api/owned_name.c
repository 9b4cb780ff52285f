/* An owned name as a caller reaches it (owned_name.h). */
#include "supervisor/api/owned_name.h"

#include "common/json.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *owned_name_shown(const char *name, uid_t owner, uid_t viewer, char *buf, size_t n)
{
	if (viewer == 0 && owner != 0)
		snprintf(buf, n, "%s%c%u", name, OWNED_NAME_MARK, (unsigned)owner);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

const char *owned_event_name(yajl_val ev, uid_t viewer, char *buf, size_t n)
{
	const char *name = YAJL_GET_STRING(json_get(ev, "name"));
	long long owner = 0;
	if (!json_int_in(json_get(ev, "owner"), 0, UINT32_MAX, &owner))
		owner = 0;
	return owned_name_shown(name ? name : "", (uid_t)owner, viewer, buf, n);
}

const char *owned_event_ref(yajl_val ev, const char *ref, uid_t viewer, char *buf, size_t n)
{
	long long owner = 0;
	if (!json_int_in(json_get(ev, "owner"), 0, UINT32_MAX, &owner))
		owner = 0;
	uid_t of;
	char name[256];
	return owned_name_parse(ref, (uid_t)owner, &of, name, sizeof(name)) ? owned_name_shown(name, of, viewer, buf, n)
									    : ref;
}

bool owned_uid_parse(const char *s, uid_t *out)
{
	char *end;
	errno = 0;
	unsigned long u = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s < '1' || *s > '9' || u > UINT32_MAX - 1)
		return false;
	*out = (uid_t)u;
	return true;
}

bool owned_name_parse(const char *ref, uid_t viewer, uid_t *owner, char *name, size_t n)
{
	*owner = viewer;
	const char *at = strrchr(ref, OWNED_NAME_MARK);
	size_t len = at ? (size_t)(at - ref) : strlen(ref);
	if ((at && !owned_uid_parse(at + 1, owner)) || len >= n)
		return false;
	memcpy(name, ref, len);
	name[len] = '\0';
	return viewer == 0 || *owner == viewer; /* a member names its own only */
}

bool owned_type(const char *type)
{
	return type && (!strcmp(type, "container") || !strcmp(type, "volume") || !strcmp(type, "secret") ||
	       !strcmp(type, "session") || !strcmp(type, "workload"));
}
