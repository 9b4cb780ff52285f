/* What clients type, on its way into a process's stdin (a pipe, or a pty
 * master): a bounded queue written without blocking. Past the bound the
 * caller stops reading its clients until resume() says there is room. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "common/outq.h"
#include "supervisor/loop/eventloop.h"

#define STDIN_QUEUE_MAX (256u << 10)

typedef struct stdin_queue {
	int fd;            /* -1: none, or closed (the process closed its stdin) */
	bool tty;          /* fd is a pty master: its end of input is the EOF character */
	el_source *src;
	outq q;
	bool closing;      /* close once the queue is written */
	void (*resume)(void *data);
	void *data;
} stdin_queue;

/* fd (taken; -1 for none) becomes non-blocking. */
int stdin_queue_init(stdin_queue *s, el_loop *l, int fd, bool tty, void (*resume)(void *), void *data, cerr *err);
/* Queue bytes; false when the queue is now full: pause the inputs. */
bool stdin_queue_add(stdin_queue *s, const void *buf, size_t n);
bool stdin_queue_full(const stdin_queue *s);
/* End of input: a pipe is closed once what is queued is written; a pty gets
 * its EOF character (a terminal has no end of input of its own). */
void stdin_queue_end(stdin_queue *s);
void stdin_queue_close(stdin_queue *s);
