/* What the events file last said of each container, read once as corrald
 * starts. A corrald killed between a change and its event (a Start
 * answered, a removal done), or a disk too full for the event, leaves the
 * two apart: adoption (ctr_adopt.c) says what was missed, so that each
 * container's last event matches its state and one gone has its remove. */
#pragma once

struct corrald;
typedef struct ctr_said ctr_said;

/* NULL when there is no events file, or no memory: nothing is said then. */
ctr_said *ctr_said_load(struct corrald *d);
void ctr_said_free(ctr_said *s);
static inline void ctr_said_freep(ctr_said **s) { ctr_said_free(*s); }
/* The last of create, start, restore and die said of id; NULL when the
 * file keeps none (never said, or rotated away) or said its remove. */
const char *ctr_said_of(const ctr_said *s, const char *id);
/* remove, for each container said of whose record is gone */
void ctr_said_gone(struct corrald *d, const ctr_said *s);
