/* mon_exec.c: corral-monitor --exec: what the monitor runs for corrald's
 * Exec. */
#pragma once
#include "supervisor/monitor/monitor.h"

/* corral-monitor --exec (mon_exec.c): the runtime's exec for Exec. */
int monitor_exec_main(int argc, char **argv);
