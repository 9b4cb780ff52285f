/* request.c: Request, Serve's other side, and Reply: a request goes to one
 * server (the party asked for, or whichever serves the topic, in turn), and
 * waits for its Reply at most its timeout. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* m (as peer) asks a->to (or any server of a->topic) with a->data, for
 * a->timeout: the request, sent, whose end done is told with end (its
 * reply, Timeout, or NoServer when the session closes); NULL with f filled
 * when refused. */
breq *breq_open(bparty *m, const peer_cred *peer, const broker_args *a, breq_done_fn *done, void *end,
		broker_fault *f);
/* Its requester went: q is forgotten, with nothing told. */
void breq_cancel(breq *q);
/* m answers request id with data (JSON text): its requester is told. 0, or
 * -1 with f filled (no such request waits for m, or m's rate). */
int breq_answer(bparty *m, const char *id, const char *data, broker_fault *f);
/* The session closes: every request ends (NoServer). */
void breq_end_all(broker_session *bs);
/* m goes: the requests it took can no longer be answered (they time out). */
void breq_forget_party(broker_session *bs, bparty *m);
