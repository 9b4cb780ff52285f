/* broker_call.c: corral-broker's calls, its errors as one line each, and DATA
 * arguments. */
#pragma once
#include "supervisor/broker/broker_cli.h"

/* Print "corral-broker: " and the message; returns BROKER_EXIT_USAGE. */
int broker_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Connect to broker_sock, or say why (exit status in *rc). */
vl_client *broker_connect(int *rc);
/* Send method (short name) with params (an object's JSON text, or NULL);
 * more: a stream. 0, or BROKER_EXIT_FAIL after saying why. */
int broker_send(vl_client *c, const char *method, const char *params, bool more);
/* The next reply: 0; an error reply or a broken connection is said in one
 * line and gives BROKER_EXIT_FAIL. */
int broker_recv(vl_client *c, const char *method, vl_reply *rep);
/* Connect, send and take the one reply. */
int broker_call(const char *method, const char *params, vl_reply *rep);
/* DATA from the command line as JSON text: itself when it parses as JSON,
 * else a JSON string of its bytes; "-" reads it from stdin. NULL: said why. */
char *broker_data_arg(const char *arg);
/* Bytes a program wrote as JSON text, in the same way (trailing newlines
 * dropped from a string). */
char *broker_data_bytes(const char *s, size_t len);
/* key and the value of json_text (from broker_data_*) into g. */
int broker_add_json(yajl_gen g, const char *key, const char *json_text);
/* Close g's object and hand back its text; NULL: out of memory. */
char *broker_finish(yajl_gen g);
/* A value of a reply as one line of JSON on stdout. */
int broker_print(yajl_val v);
/* A non-negative integer option; false if it is not one. */
bool broker_parse_count(const char *s, long long max, long long *out);
