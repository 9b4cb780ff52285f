/* A message's strings as UTF-8 (pb_utf8.h), by its descriptor: every
 * string and message field, repeated or not, a oneof's only when set. */
#include "supervisor/cri/pb_utf8.h"
#include "common/json_scan.h"

#include <stdio.h>
#include <string.h>

static bool field_set(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
		return true;
	return *(const uint32_t *)((const char *)m + f->quantifier_offset) == f->id;
}

/* where, with ".name" or "[i]" appended at its end (at: its length) */
static void path_add(char *where, size_t n, size_t at, const char *name, long i)
{
	if (i < 0)
		snprintf(where + at, n - at, "%s%s", at ? "." : "", name);
	else
		snprintf(where + at, n - at, "[%ld]", i);
}

static bool walk(const ProtobufCMessage *m, char *where, size_t n)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	size_t at = strnlen(where, n);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if ((f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) || !field_set(m, f))
			continue;
		const void *member = (const char *)m + f->offset;
		bool repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
		size_t count = repeated ? *(const size_t *)((const char *)m + f->quantifier_offset) : 1;
		void *const *values = repeated ? *(void *const *const *)member : member;
		path_add(where, n, at, f->name, -1);
		size_t named = strnlen(where, n);
		for (size_t k = 0; k < count; k++) {
			const void *v = values[k];
			if (!v)
				continue;
			if (repeated)
				path_add(where, n, named, NULL, (long)k);
			if (f->type == PROTOBUF_C_TYPE_STRING ? !json_utf8_valid(v, strlen(v)) : !walk(v, where, n))
				return false;
		}
		where[at] = '\0';
	}
	return true;
}

bool pb_strings_utf8(const ProtobufCMessage *m, char *where, size_t n)
{
	where[0] = '\0';
	return walk(m, where, n);
}
