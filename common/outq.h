/* Bytes waiting for a non-blocking fd (a socket, a pipe, a pty), written as
 * far as it takes them each time: a queue never blocks its writer. */
#pragma once
#include <stddef.h>
#include "common/strbuf.h"

typedef struct outq {
	strbuf buf;
	size_t off; /* buf[off, len) is still to write */
} outq;

static inline size_t outq_len(const outq *q) { return q->buf.len - q->off; }
/* 0 or -ENOMEM. */
int outq_add(outq *q, const void *data, size_t n);
/* Write what fd takes now (a socket without blocking even when it is in
 * blocking mode, and without SIGPIPE; a pipe's writer ignores SIGPIPE
 * itself): 0 (also when some is left), or -errno when fd is broken. */
int outq_flush(outq *q, int fd);
/* The same, waiting for fd to take it all for timeout_ms at the most: 0
 * when all is written, -ETIMEDOUT, or -errno when fd is broken. */
int outq_flush_within(outq *q, int fd, int timeout_ms);
void outq_release(outq *q);
