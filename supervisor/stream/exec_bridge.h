/* exec_bridge.c: exec and attach (remotecommand's protocols, v1 to v4): the
 * client's streams on one side, corrald's Exec or Attach on the other as
 * Streams frames. */
#pragma once
#include "supervisor/stream/serve.h"

int serve_exec(stream_conn *c, bool exec);
