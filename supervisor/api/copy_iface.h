/* corral-copy as corrald runs it (supervisor/copy): what both sides of a
 * checkpoint archive's export and import agree on. */
#pragma once

/* The most a manifest.json may be: corral-copy prints an import's on its
 * stdout, and corrald reads no more. */
#define CKPT_ARCHIVE_MAX_MANIFEST (1u << 20)
/* corrald's own key, which signs the archives it exports, in its state
 * directory. */
#define CKPT_KEY_FILE "checkpoint.key"
#define CKPT_KEY_LEN 32
