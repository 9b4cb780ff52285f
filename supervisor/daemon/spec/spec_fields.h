/* The checks that the spec's parsers share (ctr_spec.c, ctr_spec_mounts.c,
 * names.c), below them all. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/json_get.h"

#define CTR_HOSTNAME_MAX 64 /* HOST_NAME_MAX */
#define CTR_NAME_MAX 128

/* v, when given, must have type t, said as what ("an array of strings"). */
int ctr_spec_want(yajl_val v, yajl_type t, const char *field, const char *what, json_fault *f);
/* An array or object of at most max entries, when given (null is not):
 * ctr_spec_want's check and the count's. 1 when given, 0 when not, or
 * what was wrong. */
int ctr_spec_list(yajl_val v, yajl_type t, const char *field, const char *what, size_t max, json_fault *f);
/* A spec's array of items (spec.devices, spec.tmpfs, ...), and how each
 * item is read into its own slot of the array made for them. */
typedef struct ctr_spec_array {
	const char *field; /* "spec.devices": the faults' */
	const char *what;  /* "an array of Device": said when it is not one */
	size_t max;        /* items at most */
	size_t size;       /* each slot's */
	int (*read)(yajl_val e, const char *path, void *slot, void *ud, json_fault *f);
} ctr_spec_array;
/* v, a's array (absent or null: none): *slots gets n + 1 zeroed slots (the
 * last ends them), then each item is read into its own, with its path
 * (spec.devices[2]), in order. 0, or the first -errno with f (*slots is
 * the caller's to free then too). */
int ctr_spec_each(yajl_val v, const ctr_spec_array *a, void **slots, void *ud, json_fault *f);
/* ctr_spec_each into out, a typed array (s->devices): it gets the slots
 * made, whatever came of them. */
#define CTR_SPEC_EACH(v, a, out, ud, f)                                    \
	({                                                                 \
		void *slots_ = NULL;                                       \
		int each_ = ctr_spec_each((v), (a), &slots_, (ud), (f));   \
		(out) = slots_;                                            \
		each_;                                                     \
	})
/* RFC 1123: letters, digits and '-' in dot-separated labels. */
bool ctr_hostname_valid(const char *h);
/* A container's name: letters, digits, '_', '.' or '-', starting with a
 * letter or digit, at most CTR_NAME_MAX. */
bool ctr_name_valid(const char *name);
/* A name a container answers to on its network, beside its own (an alias,
 * a link's, an extra host's): a host name, or a container's name (compose's
 * service names: web_app). */
bool ctr_alias_valid(const char *name);
