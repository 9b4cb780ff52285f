/* session_idle.c: The idle timeout, and how a session ends. */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"

void session_idle_arm(struct corrald *d, session *s);
/* Stop and remove its members, release what it holds, forget it. expired:
 * the idle timer's doing (an event says so). */
void session_end(struct corrald *d, session *s, bool expired);
