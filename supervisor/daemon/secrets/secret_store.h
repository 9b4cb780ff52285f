/* The secret store: <state-dir>/secrets/<NAME>.secret for root's, and
 * <NAME>@<UID>.secret for a member's (each owner's names are its own,
 * owned_name.h), each value sealed
 * with AES-256-GCM under the host key <state-dir>/secrets/key (32 random
 * bytes, 0600, made on first use), with its own random nonce, and its name
 * and header bound as additional data: a file renamed to another name, or
 * changed by one bit, fails to open.
 *
 * A file: "CORRALS1" | created (ns since the epoch, 8 bytes LE) | owner
 * (the uid that made it, 4 bytes LE) | nonce
 * (12) | tag (16) | ciphertext (as long as the value). Written atomically.
 *
 * A secret's identity (secret_id) is its created time and its owner, both
 * in its header and so sealed with it: a secret removed and made again
 * under the same name, by anyone, is another secret. A container binds to
 * the identity at Create, and Start refuses a name that now holds another
 * (secrets/deliver.h). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "common/secmem.h"
#include <sys/types.h>
#include "supervisor/daemon/spec/spec_secrets.h"

#define SECRET_MAX_SIZE (1u << 20)
#define SECRET_MAX_COUNT 4096 /* secrets in the store: create refuses more */
#define SECRET_SUFFIX ".secret"
#define SECRET_KEY_FILE "key"
#define SECRET_ID_MAX 32 /* "<created ns, 16 hex digits>-<owner uid>" and its NUL */

typedef struct secret_info {
	char name[SECRET_NAME_MAX + 1];
	size_t size;
	int64_t created_ns;
	uint32_t owner; /* the uid that made it: a peer other than root sees only its own */
} secret_info;

/* A secret's name and its owner's uid. */
typedef struct secret_ref {
	uint32_t owner;
	char name[SECRET_NAME_MAX + 1];
} secret_ref;

/* Its identity into buf (SECRET_ID_MAX bytes). */
void secret_id(const secret_info *info, char *buf, size_t n);
/* ref as viewer names it (owned_name.h): NAME its own, NAME@UID root's way
 * to a member's; false when it names no secret, or a member another's. */
bool secret_ref_parse(const char *ref, uid_t viewer, secret_ref *out);
/* Seal value as ref into its file; -EEXIST when its owner holds the name. */
int secret_store_put(const char *dir, const secret_ref *ref, const unsigned char *value, size_t n, cerr *err);
/* The clear value into out (secbuf_release it), and when info is not NULL
 * what its authenticated header says; -ENOENT when unknown, -EBADMSG when
 * it does not authenticate (or its header names another owner). */
int secret_store_get(const char *dir, const secret_ref *ref, secbuf *out, secret_info *info, cerr *err);
int secret_store_info(const char *dir, const secret_ref *ref, secret_info *out, cerr *err);
/* Every owner's secrets, sorted by name (*out the caller's to free). */
int secret_store_list(const char *dir, secret_info **out, size_t *n, cerr *err);
int secret_store_remove(const char *dir, const secret_ref *ref, cerr *err);
/* A store written when names were one for all owners: a member's
 * <NAME>.secret (its owner in its sealed header) becomes <NAME>@<UID>.secret.
 * Its name, and so its seal, stays. */
int secret_store_migrate(const char *dir, cerr *err);
