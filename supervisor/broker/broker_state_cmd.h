/* broker_state_cmd.c: corral-broker state get|set|rm|ls|watch, and whoami. */
#pragma once
#include "supervisor/broker/broker_cli.h"

int broker_cmd_state(int argc, char **argv);
int broker_cmd_whoami(int argc, char **argv);
