#include "supervisor/daemon/readiness/readiness.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

enum level { OK, DEGRADED, FAILING };
static const char *const level_str[] = { "ok", "degraded", "failing" };

typedef struct component {
	const char *name;
	enum level level;
	char detail[160];
} component;

/* The lag probe: a periodic timer, and how late it last fired (and the
 * worst of the last minute or so). */
static struct {
	el_source *timer;
	uint64_t due, last, worst, worst_at;
} lag;

static void on_lag_tick(el_source *s, void *data)
{
	uint64_t now = mono_usec();
	lag.last = now > lag.due ? now - lag.due : 0;
	if (lag.last >= lag.worst || now - lag.worst_at > 60000000ull) {
		lag.worst = lag.last;
		lag.worst_at = now;
	}
	/* the timer keeps its phase: the next expiry is on the same grid */
	if (now >= lag.due)
		lag.due += ((now - lag.due) / READINESS_LAG_PERIOD_USEC + 1) * READINESS_LAG_PERIOD_USEC;
}

int readiness_init(corrald *d, cerr *err)
{
	lag.due = mono_usec() + READINESS_LAG_PERIOD_USEC;
	return el_add_timer(d->loop, READINESS_LAG_PERIOD_USEC, true, on_lag_tick, NULL, &lag.timer, err);
}

/* A probe writes and fsyncs: at most one in STORE_PROBE_USEC, whoever asks
 * (/readyz has no authentication), the others answer what it found. */
#define STORE_PROBE_USEC (5 * 1000000ull)
static struct {
	uint64_t at; /* mono_usec() of the last probe; 0: none yet */
	component result;
} store;

static void probe_store(const corrald *d, component *c);

static void check_store(const corrald *d, component *c)
{
	uint64_t now = mono_usec();
	if (!store.at || now - store.at >= STORE_PROBE_USEC) {
		probe_store(d, &store.result);
		store.at = now;
	}
	*c = store.result;
}

static void probe_store(const corrald *d, component *c)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/.health-%ld", d->cfg->state_dir, (long)getpid());
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = fd >= 0 && write(fd, "ok\n", 3) == 3 && fsync(fd) == 0;
	int e = errno;
	if (fd >= 0)
		close(fd);
	unlink(p);
	*c = (component){ .name = "store", .level = ok ? OK : FAILING };
	snprintf(c->detail, sizeof(c->detail), ok ? "%s is writable" : "%s: %s", d->cfg->state_dir, strerror(e));
}

static void check_monitors(const corrald *d, component *c)
{
	size_t alive = 0, up = 0;
	for (const ctr *x = d->ctrs; x; x = x->next)
		if (ctr_alive(x)) {
			alive++;
			up += x->mon_fd >= 0;
		}
	*c = (component){ .name = "monitors", .level = up == alive ? OK : DEGRADED };
	snprintf(c->detail, sizeof(c->detail), "%zu of %zu running containers have their monitor connected", up, alive);
}

static void check_loop(component *c)
{
	*c = (component){ .name = "loop", .level = lag.worst >= READINESS_LAG_DEGRADED_USEC ? DEGRADED : OK };
	snprintf(c->detail, sizeof(c->detail), "timer lag %.1f ms, worst of the last minute %.1f ms", lag.last / 1e3,
		 lag.worst / 1e3);
}

static void check_disk(const corrald *d, component *c)
{
	struct statvfs st;
	*c = (component){ .name = "disk" };
	if (statvfs(d->cfg->state_dir, &st) < 0) {
		c->level = FAILING;
		snprintf(c->detail, sizeof(c->detail), "%s: %s", d->cfg->state_dir, strerror(errno));
		return;
	}
	unsigned long long free_b = (unsigned long long)st.f_bavail * st.f_frsize;
	unsigned long long total = (unsigned long long)st.f_blocks * st.f_frsize;
	bool low = free_b < READINESS_DISK_MIN_BYTES || (total && free_b * 1000 / total < READINESS_DISK_MIN_PERMILLE);
	c->level = low ? DEGRADED : OK;
	snprintf(c->detail, sizeof(c->detail), "%llu MiB free of %llu MiB", free_b >> 20, total >> 20);
}

enum { N_COMPONENTS = 4 };

static enum level check_all(const corrald *d, component cs[N_COMPONENTS])
{
	check_store(d, &cs[0]);
	check_monitors(d, &cs[1]);
	check_loop(&cs[2]);
	check_disk(d, &cs[3]);
	enum level worst = OK;
	for (int i = 0; i < N_COMPONENTS; i++)
		if (cs[i].level > worst)
			worst = cs[i].level;
	return worst;
}

/* Ready unless failing: a degraded corrald still serves. */
int readiness_ready(strbuf *why, void *data)
{
	component cs[N_COMPONENTS];
	if (check_all(data, cs) != FAILING)
		return 0;
	for (int i = 0; i < N_COMPONENTS; i++)
		if (cs[i].level == FAILING)
			sb_addf(why, "%s: %s\n", cs[i].name, cs[i].detail);
	return -EAGAIN;
}

int sv_health(vl_call *call, yajl_val params, void *ud)
{
	SV_NO_PARAMS(call, params);
	component cs[N_COMPONENTS];
	enum level all = check_all(ud, cs);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key_str(g, "status", level_str[all]);
	jg_key(g, "components");
	yajl_gen_array_open(g);
	for (int i = 0; i < N_COMPONENTS; i++) {
		jg_object(g, JG_STR("name", cs[i].name), JG_STR("status", level_str[cs[i].level]),
			     JG_STR("detail", cs[i].detail), JG_END);
	}
	yajl_gen_array_close(g);
	return sv_reply_close(call, g);
}
