/* pb_utf8.c: the string fields of an unpacked protobuf message, each
 * checked as UTF-8, as proto3 has them (Go's protobuf refuses a message
 * otherwise; protobuf-c does not look). A string goes on into corrald's
 * JSON as it is, so one that is not UTF-8 is refused here, by its field. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

/* true; or false, with the first string's path that is not UTF-8 in where
 * ("config.envs[1].value") */
bool pb_strings_utf8(const ProtobufCMessage *m, char *where, size_t n);
