/* broker_msg.c: corral-broker pub, sub and req: messages through corrald. */
#pragma once
#include "supervisor/broker/broker_cli.h"

/* Stream method's replies: print member key of each (NULL: all), count of
 * them (0: until the stream ends). */
int broker_stream(const char *method, const char *params, const char *key, long long count);
/* {"topics": [argv...]} */
char *broker_topics_params(int argc, char **argv);
int broker_cmd_pub(int argc, char **argv);
int broker_cmd_sub(int argc, char **argv);
int broker_cmd_req(int argc, char **argv);
