#include "supervisor/daemon/spec/restart_policy.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int restart_policy_parse(const char *s, restart_policy *p, cerr *err)
{
	memset(p, 0, sizeof(*p));
	if (!s || streq(s, "") || streq(s, "no")) {
		p->kind = RESTART_NO;
		return 0;
	}
	if (streq(s, "always")) {
		p->kind = RESTART_ALWAYS;
		return 0;
	}
	if (streq(s, "unless-stopped")) {
		p->kind = RESTART_UNLESS_STOPPED;
		return 0;
	}
	if (!strncmp(s, "on-failure", 10) && (s[10] == '\0' || s[10] == ':')) {
		p->kind = RESTART_ON_FAILURE;
		if (s[10] == '\0')
			return 0;
		const char *n = s + 11;
		char *end;
		errno = 0;
		unsigned long v = strtoul(n, &end, 10);
		if (!*n || *n == '-' || *n == '+' || errno || *end || v == 0 || v > 1000000)
			return cerr_set(err, EINVAL,
					"restart policy %s: the retry count must be an integer from 1 to 1000000", s);
		p->max_retries = (unsigned)v;
		return 0;
	}
	return cerr_set(err, EINVAL,
			"restart policy %s: must be no, on-failure[:N], always or unless-stopped", s);
}

const char *restart_policy_format(const restart_policy *p, char *buf, size_t n)
{
	switch (p->kind) {
	case RESTART_NO: snprintf(buf, n, "no"); break;
	case RESTART_ALWAYS: snprintf(buf, n, "always"); break;
	case RESTART_UNLESS_STOPPED: snprintf(buf, n, "unless-stopped"); break;
	case RESTART_ON_FAILURE:
		if (p->max_retries)
			snprintf(buf, n, "on-failure:%u", p->max_retries);
		else
			snprintf(buf, n, "on-failure");
		break;
	}
	return buf;
}

void restart_tally_init(restart_tally *s)
{
	s->restarts = 0;
	s->next_delay = RESTART_BACKOFF_MIN_USEC;
}

bool restart_should(const restart_policy *p, const restart_tally *s, int exit_code,
		    bool stopped_by_user)
{
	if (stopped_by_user)
		return false;
	switch (p->kind) {
	case RESTART_NO:
		return false;
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	case RESTART_ON_FAILURE:
		if (exit_code == 0)
			return false;
		return p->max_retries == 0 || s->restarts < p->max_retries;
	}
	return false;
}

uint64_t restart_next_delay(restart_tally *s, uint64_t ran_usec)
{
	/* a container that ran long enough was healthy: start the count over */
	if (ran_usec >= RESTART_RESET_AFTER_USEC)
		restart_tally_init(s);
	if (s->next_delay < RESTART_BACKOFF_MIN_USEC)
		s->next_delay = RESTART_BACKOFF_MIN_USEC;
	uint64_t d = s->next_delay;
	s->next_delay = d >= RESTART_BACKOFF_MAX_USEC / 2 ? RESTART_BACKOFF_MAX_USEC : d * 2;
	s->restarts++;
	return d;
}

bool restart_on_daemon_start(const restart_policy *p, bool stopped_by_user)
{
	if (p->kind == RESTART_ALWAYS)
		return true;
	return p->kind == RESTART_UNLESS_STOPPED && !stopped_by_user;
}
