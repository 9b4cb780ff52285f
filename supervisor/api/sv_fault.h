/* What a call failed on, as the engine, the record and the features say it:
 * a value, with the cerr chain that explains it. Only a method turns it
 * into the call's reply (sv_reply_fault, sv_errors.h), so the layers below
 * the methods never hold a call to answer. */
#pragma once
#include "common/error.h"
#include "common/json_get.h"

#define SV_ERR(name) "io.corral.Supervisor." name

typedef enum sv_fault_kind {
	SV_FAULT_NONE = 0,
	SV_FAULT_INVALID,     /* InvalidParameter{parameter: field, reason} */
	SV_FAULT_INTERNAL,    /* InternalError{reason}; with no reason, none */
	SV_FAULT_DENIED,      /* PermissionDenied{reason} */
	SV_FAULT_NO_SUCH,     /* NoSuch<object>{key: name} */
	SV_FAULT_EXISTS,      /* <object>Exists{name} */
	SV_FAULT_NAME_IN_USE, /* NameInUse{name, id}; no id for another user's */
	SV_FAULT_BAD_STATE,   /* InvalidState{id, state, reason} */
	SV_FAULT_POLICY,      /* PolicyViolation{field, limit, reason} */
} sv_fault_kind;

/* The objects a NoSuch or an Exists names. */
typedef enum sv_object {
	SV_CONTAINER,
	SV_EXEC,
	SV_IMAGE,
	SV_SECRET,
	SV_VOLUME,
	SV_NETWORK,
	SV_WORKLOAD,
	SV_SESSION,
} sv_object;

typedef struct sv_fault {
	sv_fault_kind kind;
	sv_object object; /* NO_SUCH's and EXISTS' */
	char *field;      /* INVALID's parameter, POLICY's field */
	char *name;       /* the object's name or id; NAME_IN_USE's name */
	char *id;         /* NAME_IN_USE's holder, BAD_STATE's container */
	char *state;      /* BAD_STATE's */
	char *limit;      /* POLICY's */
	cerr reason;      /* why, with its chain; empty for none */
} sv_fault;

void sv_fault_clear(sv_fault *f);
#define _cleanup_sv_fault_ __attribute__((cleanup(sv_fault_clear)))

/* Each sets f (cleared first) and returns -1, so a caller can
 * `return sv_fault_invalid(f, ...)`. An _err variant takes err's message
 * and its code, and leaves err empty. */
int sv_fault_invalid(sv_fault *f, const char *field, const char *reason);
int sv_fault_invalid_err(sv_fault *f, const char *field, cerr *err);
/* What a validator found; INTERNAL when it ran out of memory. */
int sv_fault_json(sv_fault *f, const json_fault *jf);
/* reason may be NULL: an InternalError with no parameters. */
int sv_fault_internal(sv_fault *f, const char *reason);
int sv_fault_internal_err(sv_fault *f, cerr *err);
int sv_fault_denied(sv_fault *f, const char *reason);
int sv_fault_no_such(sv_fault *f, sv_object object, const char *name);
int sv_fault_exists(sv_fault *f, sv_object object, const char *name);
int sv_fault_name_in_use(sv_fault *f, const char *name, const char *id);
int sv_fault_bad_state(sv_fault *f, const char *id, const char *state, const char *reason);
int sv_fault_policy(sv_fault *f, const char *field, const char *limit, const char *reason);
/* Hands src's fault to dst (dst cleared first); src is left empty. */
int sv_fault_move(sv_fault *dst, sv_fault *src);
