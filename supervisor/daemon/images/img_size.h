/* Sizes of the image store for ImageList, GetInfo and Metrics. Layers never
 * change once unpacked, so each layer directory is walked once and its size
 * kept by diff_id; blobs are stat'ed (one readdir) when asked. */
#pragma once
#include <stdint.h>
#include "images/store.h"

typedef struct imgsize_cache imgsize_cache;

imgsize_cache *imgsize_new(void);
void imgsize_free(imgsize_cache *c);
/* Bytes of the files of one unpacked layer (apparent size); 0 if absent. */
uint64_t imgsize_layer(imgsize_cache *c, img_store *s, const char *diffid);
/* Disk bytes of blobs and layers of the whole store. */
uint64_t imgsize_store(imgsize_cache *c, img_store *s);
