/* Restart policies (no | on-failure[:N] | always | unless-stopped) and the
 * backoff between restarts: 100 ms doubling to 5 min, reset after 10 s up. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

enum restart_kind { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

typedef struct restart_policy {
	enum restart_kind kind;
	unsigned max_retries; /* on-failure only; 0 = unlimited */
} restart_policy;

#define RESTART_BACKOFF_MIN_USEC 100000ull
#define RESTART_BACKOFF_MAX_USEC 300000000ull
#define RESTART_RESET_AFTER_USEC 10000000ull

int restart_policy_parse(const char *s, restart_policy *p, cerr *err);
/* Canonical text, e.g. "on-failure:3"; buf of at least 32 bytes. */
const char *restart_policy_format(const restart_policy *p, char *buf, size_t n);

typedef struct restart_tally {
	unsigned restarts;    /* restarts since the last reset (for on-failure:N) */
	uint64_t next_delay;  /* the delay the next restart will wait */
} restart_tally;

void restart_tally_init(restart_tally *s);
/* Whether a container that exited should be restarted. stopped_by_user: it
 * was stopped through the API (stop/kill), which no policy overrides. */
bool restart_should(const restart_policy *p, const restart_tally *s, int exit_code,
		    bool stopped_by_user);
/* Account for an exit after running for ran_usec; returns the delay to wait
 * before the restart (only meaningful when restart_should said yes). */
uint64_t restart_next_delay(restart_tally *s, uint64_t ran_usec);
/* Whether the policy restarts containers when corrald itself starts (after a
 * reboot): always, and unless-stopped unless stopped by the user. */
bool restart_on_daemon_start(const restart_policy *p, bool stopped_by_user);
