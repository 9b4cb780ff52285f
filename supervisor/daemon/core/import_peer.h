/* ImageImport for a peer that is not root: corrald reads only what the peer
 * could read itself. The path is opened as the peer (peer_open.h) and the
 * import reads that fd (as /proc/self/fd/3 of corral-images), never the
 * path. */
#pragma once
#include <stdbool.h>
#include "supervisor/api/sv_fault.h"
#include "supervisor/varlink/server.h"

struct corrald;

/* Start the import from fd (the callee's to close); 0 once it has the
 * call, or the reply it gave. With why, the file was not opened: why is
 * the fault for the callee to reply (fd is -1, and ctx was freed). */
typedef int (*import_start_fn)(struct corrald *d, vl_call *call, int fd, sv_fault *why, void *ctx);
typedef void (*import_free_fn)(void *ctx);

/* Open path as the call's peer, then start(), once, unless the caller has
 * hung up; a peer that cannot read it is refused with PolicyViolation on
 * path (audited). ctx goes to free_ctx unless start took it. Returns 0
 * (the call is kept) or what start returned. */
int policy_import_as_peer(struct corrald *d, vl_call *call, const char *path, import_start_fn start,
			  import_free_fn free_ctx, void *ctx);
/* The same for method (named in the refusal), for a file the peer reads,
 * writes (opened O_WRONLY | O_TRUNC: ImageSave's, which corralctl made), or
 * makes (O_CREAT | O_EXCL, mode 0600: the CRI's CheckpointContainer,
 * whose kubelet makes none). */
enum peer_access { PEER_READ, PEER_WRITE, PEER_CREATE };
int policy_open_as_peer(struct corrald *d, vl_call *call, const char *method, const char *path, enum peer_access how,
			import_start_fn start, import_free_fn free_ctx, void *ctx);
