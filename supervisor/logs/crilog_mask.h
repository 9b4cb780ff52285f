/* Secret values to redact from a container's log (--secret NAME,mask=true):
 * a record (a line, or a piece of a long one) that holds any of them is
 * written as [REDACTED]. corrald writes the values, length-prefixed, to
 * CRILOG_MASK_FILE on the container's secrets tmpfs; the monitor reads it
 * once before the container starts and keeps the values in MADV_DONTDUMP
 * memory. The same values are redacted from the live output clients get
 * (a foreground run, attach, exec), line by line (crilog_mask_redact). A value
 * split across two pieces of an over-long line, or across two writes that
 * end without a newline, is not seen. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "common/secmem.h"
#include "common/strbuf.h"

#define CRILOG_MASK_FILE "secrets/mask" /* in the container's directory */
#define CRILOG_MASK_MAX (8u << 20)
#define CRILOG_REDACTED "[REDACTED]"

typedef struct crilog_mask {
	secbuf buf; /* u32 length (little endian), bytes; again */
} crilog_mask;

/* Append one value (the text to look for) to buf, growing it. */
int crilog_mask_add(secbuf *buf, const void *value, size_t n);
/* Take the values from fd (read to its end, then closed by the caller). */
int crilog_mask_load(crilog_mask *m, int fd, cerr *err);
/* Whether p[n] holds any value. */
bool crilog_mask_hit(const crilog_mask *m, const char *p, size_t n);
/* One record (a line without its newline, or a piece of it) as a reader
 * may see it: *p and *n become CRILOG_REDACTED when it holds a value. */
void crilog_mask_record(const crilog_mask *m, const char **p, size_t *n);
/* Output as it streams: 0 when p[n] holds no value (send it as it is);
 * else 1 with out holding p[n], each line that holds one (its newline and
 * a tty's \r aside) a record as above; -ENOMEM (send nothing). */
int crilog_mask_redact(const crilog_mask *m, const char *p, size_t n, strbuf *out);
void crilog_mask_release(crilog_mask *m);
