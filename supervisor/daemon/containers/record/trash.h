/* Container directories are removed in the background. Remove renames the
 * directory into <state-dir>/trash, which frees its id at once; a child
 * process, the remover, then unmounts each one's overlay and removes it
 * with rm_rf while the loop goes on serving, and the loop reaps it through
 * its pidfd. A container controls what its upper/ holds: removing it, and
 * even unmounting its overlay, may take long, and never blocks the loop. A
 * corrald that starts finishes what an earlier one left there. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"

struct corrald;

typedef struct trash {
	char *path;       /* <state-dir>/trash */
	int fd;           /* open on it, or -1 */
	unsigned long seq; /* trash names are <name>.<seq> */
	pid_t pid;        /* the remover, or 0 */
	int pidfd;        /* its pidfd (owned by src) */
	el_source *src;
	bool again;       /* more came in after the remover listed trash/ */
} trash;

#define TRASH_INIT { .fd = -1, .pidfd = -1 }
#define TRASH_DIR "trash"
#define TRASH_COMM "corrald-trash" /* the remover's name, in ps */
#define TRASH_NICE 10                 /* its CPU weight, a tenth of a default one's */

/* Open (make) the trash and start emptying what is left in it. */
int trash_init(struct corrald *d, cerr *err);
/* Move a container's directory, its overlay still mounted, into the trash
 * and have it unmounted and removed in the background. Where it cannot be
 * moved (trash/ on another filesystem), that is done here, in the loop. */
int trash_dir(struct corrald *d, const char *dir, cerr *err);
/* At shutdown: end the remover; the next corrald finishes its work. */
void trash_shutdown(struct corrald *d);
