/* The entries of an /etc/passwd or /etc/group, as text: an image's, read
 * inside its rootfs (image_user.c), or through a container of it (the
 * builder's COPY --chown). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Its entries one at a time, each split in place into its first four fields: name, password, id, then the
 * primary gid (passwd) or the member list (group). */
typedef struct id_reader {
	char *text, *rest;
	char *name, *id, *fourth;
	char *more; /* the fields after the fourth, unsplit; NULL when none */
} id_reader;

/* The next entry with four fields at least; lines with fewer are skipped. */
bool image_ids_next(id_reader *r);
/* 1 when s is a decimal id, 0 when it is no number (a name), -ERANGE when
 * it is a number no id can be ((uid_t)-1 means "unchanged" to the kernel). */
int image_id_parse(const char *s, uint32_t *out);
/* The id of the entry named name in the text of an /etc/passwd or an
 * /etc/group (split in place: the caller's to free); -ENOENT when it has
 * none. */
int image_id_lookup(char *text, const char *name, uint32_t *id);
