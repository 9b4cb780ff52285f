/* A growable string, in the spirit of git's strbuf. Always NUL-terminated. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

int sb_grow(strbuf *sb, size_t extra);
int sb_add(strbuf *sb, const void *data, size_t n);
int sb_adds(strbuf *sb, const char *s);
int sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_vaddf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sb_reset(strbuf *sb);
void sb_release(strbuf *sb);
/* Return the buffer (never NULL) and reset sb. */
char *sb_detach(strbuf *sb);
static inline void sb_releasep(strbuf *sb) { sb_release(sb); }
#define _cleanup_strbuf_ __attribute__((cleanup(sb_releasep)))
