/* broker_serve.c: corral-broker serve: answer requests, with their data
 * (--echo) or with what a command prints given the data on its stdin. */
#pragma once
#include "supervisor/broker/broker_cli.h"

int broker_cmd_serve(int argc, char **argv);
