/* A checkpoint as one file (corralctl checkpoint --export, restore
 * --import), written and read by corral-copy so that corrald never links
 * libarchive. The tar holds, in this order:
 *   manifest.json  {"corralCheckpoint":1, "container":{owner, name, image,
 *                  spec}, "entries":[{path, size, digest}...]}
 *   manifest.hmac  HMAC-SHA256 of manifest.json under corrald's own key
 *   checkpoint/NAME  criu's images, as the dump left them
 *   rootfs-diff.tar  the container's upper directory as an image layer
 * criu's images are a whole process tree to criu, which restores them as
 * root: only what this corrald dumped, for the same owner, is ever read
 * back. So the signature is checked before anything is written, every
 * entry must be the manifest's own (path, type, size and digest, hashed as
 * it is staged), and any failure removes the staging directory whole. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"
#include "images/digest.h"
#include "supervisor/api/copy_iface.h"

#define CKPT_ARCHIVE_MANIFEST "manifest.json"
#define CKPT_ARCHIVE_HMAC "manifest.hmac"
#define CKPT_ARCHIVE_DIFF "rootfs-diff.tar"
#define CKPT_ARCHIVE_MAX_ENTRIES 4096u

/* The archive of ctr_dir's checkpoint/ and upper/ to out_fd; head is the
 * "container" object (JSON) the manifest carries. */
int ckpt_export(const char *ctr_dir, const char *key_path, const char *head, int out_fd, cerr *err);
/* Verify and stage the archive in_fd into stage (made here: checkpoint/
 * and upper/), refusing another owner's unless owner is -1; on success
 * *head is the "container" object (JSON, the caller's to free). */
int ckpt_import(int in_fd, const char *stage, const char *key_path, long long owner, char **head, cerr *err);

/* What manifest.json says each entry is. */
typedef struct ckpt_entry {
	char *path; /* checkpoint/NAME or rootfs-diff.tar */
	uint64_t size;
	char digest[DIGEST_STR_LEN];
	bool seen; /* import: staged */
} ckpt_entry;
typedef struct ckpt_entries {
	ckpt_entry *v;
	size_t n;
} ckpt_entries;
void ckpt_entries_free(ckpt_entries *e);
/* A verified manifest.json's text: its entries into *es (freed with
 * ckpt_entries_free whatever the result), and on success its "container"
 * object in *head (JSON, the caller's to free). Another owner's is refused
 * unless owner is -1. */
int ckpt_manifest_parse(const char *text, long long owner, ckpt_entries *es, char **head, cerr *err);
