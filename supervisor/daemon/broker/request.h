/* request.c: Request, Serve's other side, and Reply: a request goes to one
 * server (the party asked for, or whichever serves the topic, in turn), and
 * waits for its Reply at most its timeout. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

int broker_do_request(bparty *m, vl_call *call, broker_args *a);
int broker_reply(bparty *m, vl_call *call, const char *id, const char *data);
void breq_end_all(broker_session *bs);
/* m goes: the requests it took can no longer be answered (they time out). */
void breq_forget_party(broker_session *bs, bparty *m);
