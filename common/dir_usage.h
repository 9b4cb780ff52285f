/* What a directory tree holds, as du counts it: apparent bytes of its files
 * and symlinks, and the disk blocks of all its entries. */
#pragma once
#include <stdint.h>

/* Adds the tree below dfd (which it takes and closes) to *bytes and *disk;
 * depth-bounded so a hostile tree cannot recurse us dry. Entries that
 * vanish or cannot be read are skipped. */
void dir_usage(int dfd, uint64_t *bytes, uint64_t *disk);
