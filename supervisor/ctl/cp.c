#include "supervisor/ctl/ctl.h"
const ctl_cmd ctl_cp_cmds[] = { { NULL } };
