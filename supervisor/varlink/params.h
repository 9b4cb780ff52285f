/* A call's parameters, in the words io.corral.Supervisor and
 * io.corral.Monitor use: each method names what it takes in one table,
 * each entry a key, how it is read and into what (as systemd's
 * sd_json_dispatch). Each returns 0, or -errno with *f naming the parameter
 * and saying why; the method handler then answers
 * `return sv_invalid_fault(call, &f)` (sv_errors.h). */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"

typedef enum sp_kind {
	SP_KIND_KEY,  /* known; the method reads it itself (a list, an object) */
	SP_KIND_STR,  /* free text or a path: NULL when absent or null */
	SP_KIND_NAME, /* a string that names something (json_name_check) */
	SP_KIND_REF,  /* an image's name, reference or id (JSON_REF) */
	SP_KIND_BOOL,
	SP_KIND_INT,
} sp_kind;

typedef struct sp_param {
	const char *key;
	sp_kind kind;
	bool required;   /* a string's: present, and not empty */
	bool dflt_flag;  /* a bool's when absent */
	long long min, max, dflt; /* an int's bounds, and its value when absent */
	union {
		const char **str;
		bool *flag;
		long long *num;
	} out;
} sp_param;

#define SP_KEY(k) { .key = (k), .kind = SP_KIND_KEY }
#define SP_STR(k, req, o) { .key = (k), .kind = SP_KIND_STR, .required = (req), .out.str = (o) }
#define SP_NAME(k, req, o) { .key = (k), .kind = SP_KIND_NAME, .required = (req), .out.str = (o) }
#define SP_REF(k, req, o) { .key = (k), .kind = SP_KIND_REF, .required = (req), .out.str = (o) }
#define SP_BOOL(k, d, o) { .key = (k), .kind = SP_KIND_BOOL, .dflt_flag = (d), .out.flag = (o) }
#define SP_INT(k, lo, hi, d, o) { .key = (k), .kind = SP_KIND_INT, .min = (lo), .max = (hi), .dflt = (d), .out.num = (o) }
/* A method's table, ended for sp_dispatch: SP_PARAMS(SP_NAME("id", true, &id), ...);
 * SP_PARAMS() for a method that takes none. */
#define SP_PARAMS(...) ((const sp_param[]){ __VA_ARGS__ __VA_OPT__(, ){ 0 } })

/* Every member of params is a key of table's: "unknown parameter" else. */
int sp_known(yajl_val params, const sp_param *table, json_fault *f);
/* Each of table's read in its order, the first wrong one the fault. */
int sp_read(yajl_val params, const sp_param *table, json_fault *f);
/* sp_known, then sp_read. */
int sp_dispatch(yajl_val params, const sp_param *table, json_fault *f);

/* SP_NAME's reader, for a name a method reads on its own terms (a
 * target's own key): a string that names something (a container, a
 * secret, a session, a registry...), checked whole as json_name_check has
 * it: no control byte, at most JSON_NAME_MAX bytes; *out is NULL when
 * absent (or null) and not required, or refused; a required one must not
 * be empty. Free text (a password, a state's value, a manifest) and paths
 * are SP_STR's. */
int sp_name(yajl_val params, const char *key, bool required, const char **out, json_fault *f);
