/* Varlink on the wire: JSON objects each ended by a NUL byte. Framing with a
 * size bound, parsing of calls and replies, and encoding of them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_guard.h"
#include "common/strbuf.h"

#define VL_MAX_MESSAGE (16u << 20)

/* Accumulates bytes and cuts them into NUL-terminated messages. */
typedef struct vl_framer {
	char *buf;
	size_t start, len, cap; /* unread bytes are buf[start, len) */
	size_t scanned;         /* bytes after start known to hold no NUL */
	size_t max;
} vl_framer;

void vl_framer_init(vl_framer *f, size_t max);
void vl_framer_release(vl_framer *f);
/* Space to read into (at least want bytes); commit n of them after. */
int vl_framer_reserve(vl_framer *f, size_t want, char **p, size_t *room);
void vl_framer_commit(vl_framer *f, size_t n);
int vl_framer_feed(vl_framer *f, const void *data, size_t n);
/* 1 and the next message (NUL-terminated, valid until the next framer call),
 * 0 when none is complete, -EMSGSIZE when the partial one exceeds the bound. */
int vl_framer_next(vl_framer *f, char **msg, size_t *len);
size_t vl_framer_pending(const vl_framer *f);

typedef struct vl_message {
	yajl_val tree;
	const char *method;
	yajl_val params; /* an object, never NULL after a successful parse */
	bool more, oneway, upgrade;
	/* -EILSEQ from vl_message_parse: the parameter whose string holds a
	 * NUL ("spec.env[2]"); the call is whole but params, which is {} */
	char nul_param[JSON_GUARD_PATH_MAX];
} vl_message;

/* A call read in place, with no tree (common/json_scan.h): what a method
 * served from its text (vl_method.raw) needs. */
typedef struct vl_message_text {
	const char *method, *params; /* params: an object's text, "{}" when absent or null */
	size_t method_len, params_len;
	bool more, oneway, upgrade;
} vl_message_text;

/* Whether text is a call scanned whole with nothing declined: its method a
 * string with no escape, its parameters an object, null or absent, its
 * flags booleans or null, no other member and none twice. Else the call
 * goes through vl_message_parse, which says what is wrong, if anything. */
bool vl_message_scan(const char *text, size_t len, vl_message_text *m);

/* Parse a call; the error says what was wrong with it (a protocol error),
 * but for -EILSEQ: a call that is whole, but for a string among its
 * parameters that holds a NUL (m->nul_param), to be answered with
 * InvalidParameter; release it as a parsed one. */
int vl_message_parse(const char *text, size_t len, vl_message *m, cerr *err);
void vl_message_release(vl_message *m);

typedef struct vl_reply {
	yajl_val tree;
	yajl_val params; /* object, never NULL after a successful parse */
	const char *error;
	bool continues;
} vl_reply;

int vl_reply_parse(const char *text, size_t len, vl_reply *r, cerr *err);
void vl_reply_release(vl_reply *r);

/* Encoders append one framed message (with its NUL). params_json is an
 * object's JSON text, or NULL for {}. */
/* The call's flags, for vl_encode_call_flags. */
#define VL_CALL_MORE 1u
#define VL_CALL_ONEWAY 2u
#define VL_CALL_UPGRADE 4u /* the connection carries another protocol after the reply */
int vl_encode_call_flags(strbuf *out, const char *method, const char *params_json, unsigned flags);
int vl_encode_reply(strbuf *out, const char *params_json, bool continues);
/* The same, of params_json's len bytes. */
int vl_encode_reply_n(strbuf *out, const char *params_json, size_t len, bool continues);
int vl_encode_error(strbuf *out, const char *error, const char *params_json);

/* Standard error names. */
#define VL_ERR_INTERFACE_NOT_FOUND "org.varlink.service.InterfaceNotFound"
#define VL_ERR_METHOD_NOT_FOUND "org.varlink.service.MethodNotFound"
#define VL_ERR_METHOD_NOT_IMPLEMENTED "org.varlink.service.MethodNotImplemented"
#define VL_ERR_INVALID_PARAMETER "org.varlink.service.InvalidParameter"
#define VL_ERR_PERMISSION_DENIED "org.varlink.service.PermissionDenied"
#define VL_ERR_EXPECTED_MORE "org.varlink.service.ExpectedMore"
