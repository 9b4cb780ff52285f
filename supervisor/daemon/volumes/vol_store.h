/* The volume store: each owner's names are its own. Root's volumes are in
 * <state-dir>/volumes/<name>/, a member's in <state-dir>/volumes/@<uid>/<name>/
 * (no name starts with '@'); each holds volume.json (the record: name,
 * driver "local", labels, options, owner, created, and whether a container
 * made it for itself) and _data, the directory a container mounts. A name
 * is [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most VOL_NAME_MAX: never "/" nor "..". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"

#define VOL_NAME_MAX 128
#define VOL_MAX_COUNT 4096 /* volumes in the store: create refuses more */
#define VOL_RECORD "volume.json"
#define VOL_DATA "_data"

typedef struct vol_info {
	char name[VOL_NAME_MAX + 1];
	uint32_t owner;     /* the uid that made it: another member neither sees nor uses it */
	int64_t created_ns;
	bool anonymous;     /* made by a container for itself (docker rm -v removes it) */
	yajl_val labels;    /* an object of strings, or NULL */
	yajl_val options;   /* the driver's options (type, o, device), or NULL */
	yajl_val rec;       /* the record these point into */
} vol_info;

bool vol_name_valid(const char *name);
/* 64 random hex digits into buf (65 bytes). */
int vol_name_random(char buf[65]);
/* The record of name; -ENOENT when there is none. */
int vol_load(const char *dir, const char *name, vol_info *out, cerr *err);
void vol_info_release(vol_info *v);
/* Make name with the record's text rec and an empty _data, owned by
 * data_uid:data_gid, mode 0755 (dir and its parent made as needed):
 * -EEXIST when the name is taken. */
int vol_make(const char *dir, const char *name, const char *rec, size_t len, uid_t data_uid, gid_t data_gid,
	     cerr *err);
/* Every volume, sorted by name (vol_list_free). */
int vol_list(const char *dir, vol_info **out, size_t *n, cerr *err);
void vol_list_free(vol_info *v, size_t n);
/* Take name out of the names, so that nothing finds it half removed: its
 * directory is renamed to gone (in dir, a name no volume has), for the
 * caller to remove. */
int vol_unname(const char *dir, const char *name, char *gone, size_t n, cerr *err);
/* Bytes its _data holds, as du counts them. */
uint64_t vol_size(const char *dir, const char *name);
