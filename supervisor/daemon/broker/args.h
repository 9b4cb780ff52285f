/* args.c: The parameters of the broker's calls, checked before any of them is
 * acted on: a validator, which names what was wrong and answers nothing (the
 * method handler answers). */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

int broker_args_parse(const char *text, size_t text_len, yajl_val params, unsigned want, broker_args *a,
		      broker_fault *f);
void broker_args_release(broker_args *a);
/* Publish's parameters read from their text (common/json_scan.h, checked
 * already): exactly a plain topic, copied into topic_buf, and a plain data,
 * left in the text, which is what broker_args_parse would copy as it came.
 * false for anything else, which broker_args_parse then reads. */
bool broker_args_scan_publish(const char *params, size_t len, char topic_buf[TOPIC_MAX + 1], broker_args *a);
