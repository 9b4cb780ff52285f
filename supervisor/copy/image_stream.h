/* image_stream.c: corral-copy image-load and image-save: the Streams end of
 * an ImageLoad or ImageSave that came without a path. */
#pragma once
#include "supervisor/copy/copy.h"

/* ImageLoad without a path: the archive in sock's STDIN frames (at most max
 * bytes) spooled into an unnamed file of spool_dir, then argv (corral-images
 * image load, reading /proc/self/fd/3) run with it as fd 3. ImageSave
 * without one: argv (image save, writing /proc/self/fd/3) run with a pipe
 * as fd 3, which goes out in STDOUT frames. Either tells the client how
 * corral-images ended (STDOUT: what it printed, for a load; STDERR: its
 * last complaint; EXIT: its code) and returns that code; -errno with err
 * set when it could not run it, the client told nothing yet. */
int image_stream_load(const char *spool_dir, uint64_t max, char *const *argv, int sock, cerr *err);
int image_stream_save(char *const *argv, int sock, cerr *err);
