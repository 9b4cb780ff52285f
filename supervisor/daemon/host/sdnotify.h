/* systemd's notification protocol without libsystemd: READY=1, STATUS=,
 * WATCHDOG=1 as datagrams to $NOTIFY_SOCKET (a path, or "@" abstract). */
#pragma once
#include <stdint.h>

/* 1 when sent, 0 when not under a notify-aware manager, -errno on failure. */
int sdn_notify(const char *state);
int sdn_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog interval when $WATCHDOG_USEC is set for this process, else 0. */
uint64_t sdn_watchdog_usec(void);
