/* Transient scope units through systemd's D-Bus API: StartTransientUnit,
 * SetUnitProperties and StopUnit, each waiting for its systemd job as runc does. */
#include "systemd.h"
#include "cgroups/systemd_props.h"
#include "cgroups/systemd_scope.h"
#include "systemd_lib.h"
#include "resources.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/monotonic.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_US (30ull * 1000 * 1000) /* runc waits 30 s too */

struct conn {
	const struct sd_lib *sd;
	sd_bus *bus;
	sd_bus_slot *slot;
	const char *unit_job; /* the job whose end we wait for */
	char result[32]; /* its JobRemoved result; "" until then */
};

static void conn_close(struct conn *c)
{
	if (c->slot)
		c->sd->slot_unref(c->slot);
	if (c->bus)
		c->sd->bus_flush_close_unref(c->bus);
}

static int job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
	struct conn *c = userdata;
	uint32_t id;
	const char *unit_job, *unit, *result;
	if (c->unit_job && c->sd->read(m, "uoss", &id, &unit_job, &unit, &result) >= 0 && strcmp(unit_job, c->unit_job) == 0)
		snprintf(c->result, sizeof(c->result), "%s", result);
	return 0;
}

/* systemd's private socket, which systemctl uses too: it needs no
 * dbus-daemon, and systemd sends it every signal. As root, PID 1's; else
 * the caller's own systemd instance (user@UID.service), as rootless runc's
 * driver uses it. Failing that, the system or the user's bus. */
static int conn_open(struct conn *c, cerr *err)
{
	memset(c, 0, sizeof(*c));
	if (!(c->sd = sd_lib(err)))
		return cerr_wrap(err, "--systemd-cgroup");
	const struct sd_lib *sd = c->sd;
	bool user = geteuid() != 0;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char path[PATH_MAX], addr[PATH_MAX + 16];
	int r = -ENOENT;
	if (!user)
		snprintf(path, sizeof(path), "/run/systemd/private");
	else if (!xdg || (size_t)snprintf(path, sizeof(path), "%s/systemd/private", xdg) >= sizeof(path))
		path[0] = '\0';
	if (path[0] && access(path, F_OK) == 0 && sd->bus_new(&c->bus) >= 0) {
		snprintf(addr, sizeof(addr), "unix:path=%s", path);
		r = sd->bus_set_address(c->bus, addr);
		if (r >= 0)
			r = sd->bus_start(c->bus);
		if (r < 0) {
			sd->bus_flush_close_unref(c->bus);
			c->bus = NULL;
		}
	}
	if (r < 0 && (r = user ? sd->bus_open_user(&c->bus) : sd->bus_open_system(&c->bus)) < 0) {
		c->bus = NULL;
		return user ? cerr_sys(err, -r, "--systemd-cgroup: connect to the user's systemd instance (is "
					       "user@%u.service running? loginctl enable-linger)", (unsigned)geteuid())
			    : cerr_sys(err, -r, "--systemd-cgroup: connect to systemd (is PID 1 systemd?)");
	}
	r = sd->match_signal(c->bus, &c->slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", job_removed, c);
	if (r >= 0) /* the system bus sends the signals only to subscribers */
		r = sd->call_method(c->bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL, "");
	return r < 0 ? cerr_sys(err, -r, "--systemd-cgroup: subscribe to systemd's jobs") : 0;
}

/* Send m (a call that answers with a systemd job), then wait until that job ends. */
static int call_job(struct conn *c, sd_bus_message *m, const char *what, const char *unit, cerr *err)
{
	const struct sd_lib *sd = c->sd;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r = sd->call(c->bus, m, JOB_TIMEOUT_US, &e, &reply);
	if (r < 0) {
		bool gone = sd->error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
		bool there = sd->error_has_name(&e, "org.freedesktop.systemd1.UnitExists");
		r = gone ? -ENOENT
		    : there ? -EEXIST
			    : cerr_set(err, -r, "systemd: %s %s: %s", what, unit, e.message ? e.message : strerror(-r));
		sd->error_free(&e);
		return r;
	}
	if ((r = sd->read(reply, "o", &c->unit_job)) < 0) {
		sd->message_unref(reply);
		return cerr_sys(err, -r, "systemd: %s %s: read its job", what, unit);
	}
	uint64_t deadline = mono_usec() + JOB_TIMEOUT_US;
	while (!c->result[0]) {
		if ((r = sd->process(c->bus, NULL)) > 0)
			continue;
		uint64_t now = mono_usec();
		if (r < 0 || now >= deadline || ((r = sd->wait(c->bus, deadline - now)) < 0)) {
			sd->message_unref(reply);
			return cerr_set(err, r < 0 ? -r : ETIMEDOUT, "systemd: %s %s: no end of job %s", what, unit,
					r < 0 ? strerror(-r) : "within 30 s");
		}
	}
	c->unit_job = NULL;
	sd->message_unref(reply);
	if (strcmp(c->result, "done") != 0)
		return cerr_set(err, EIO, "systemd: %s %s: job %s (see journalctl -u %s)", what, unit, c->result, unit);
	return 0;
}

static int append_mask(const struct sd_lib *sd, sd_bus_message *m, const char *name, const uint8_t *mask, size_t n)
{
	int r;
	if ((r = sd->open_container(m, 'r', "sv")) < 0 || (r = sd->append(m, "s", name)) < 0 ||
	    (r = sd->open_container(m, 'v', "ay")) < 0 || (r = sd->append_array(m, 'y', mask, n)) < 0 ||
	    (r = sd->close_container(m)) < 0)
		return r;
	return sd->close_container(m);
}

/* res's unit properties, inside an open a(sv) */
static int append_props(const struct sd_lib *sd, sd_bus_message *m, const struct cg_unit_props *p)
{
	int r = 0;
	for (size_t i = 0; i < p->n_num && r >= 0; i++)
		r = sd->append(m, "(sv)", p->num[i].name, "t", p->num[i].v);
	if (r >= 0 && p->n_cpus)
		r = append_mask(sd, m, "AllowedCPUs", p->cpus, p->n_cpus);
	if (r >= 0 && p->n_mems)
		r = append_mask(sd, m, "AllowedMemoryNodes", p->mems, p->n_mems);
	return r;
}

static void message_unrefp(struct conn *c, sd_bus_message **m)
{
	if (*m)
		c->sd->message_unref(*m);
}

/* StartTransientUnit of scope unit in slice, holding pid: a container's
 * (delegated, accounted, with props) or a monitor's (neither). */
static int start_scope(struct conn *c, const char *slice, const char *unit, const char *desc, bool container,
		       pid_t pid, const struct cg_unit_props *props, cerr *err)
{
	const struct sd_lib *sd = c->sd;
	sd_bus_message *m = NULL;
	int r;
	/* runc's: accounting on, so that systemd enables the controllers above */
	if ((r = sd->new_method_call(c->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit")) < 0 ||
	    (r = sd->append(m, "ss", unit, "fail")) < 0 || (r = sd->open_container(m, 'a', "(sv)")) < 0 ||
	    (r = sd->append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice", "s", slice, "Delegate",
			    "b", container, "DefaultDependencies", "b", 0, "CollectMode", "s", "inactive-or-failed")) < 0 ||
	    (r = sd->append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid)) < 0 ||
	    (container && (r = sd->append(m, "(sv)(sv)(sv)(sv)", "MemoryAccounting", "b", 1, "CPUAccounting", "b", 1,
					  "IOAccounting", "b", 1, "TasksAccounting", "b", 1)) < 0) ||
	    (r = append_props(sd, m, props)) < 0 || (r = sd->close_container(m)) < 0 ||
	    (r = sd->append(m, "a(sa(sv))", 0)) < 0) {
		message_unrefp(c, &m);
		return cerr_sys(err, -r, "systemd: StartTransientUnit %s: build the call", unit);
	}
	r = call_job(c, m, "StartTransientUnit", unit, err);
	message_unrefp(c, &m);
	if (r == -ENOENT)
		r = cerr_set(err, ENOENT, "systemd: StartTransientUnit %s: no such unit", unit);
	return r;
}

int cg_monitor_scope(const char *slice, const char *unit, pid_t pid, cerr *err)
{
	static const struct cg_unit_props none;
	_cleanup_(conn_close) struct conn c;
	int r = conn_open(&c, err);
	if (r < 0)
		return r;
	char desc[300];
	snprintf(desc, sizeof(desc), "corral monitor %s", unit);
	for (int tries = 0; tries < 3; tries++) {
		if ((r = start_scope(&c, slice, unit, desc, false, pid, &none, err)) != -EEXIST)
			break;
		/* the previous monitor of a restarted container, ending: join it */
		sd_bus_error e = SD_BUS_ERROR_NULL;
		r = c.sd->call_method(c.bus, SD_DEST, SD_PATH, SD_MANAGER, "AttachProcessesToUnit", &e, NULL, "ssau",
				      unit, "", 1, (uint32_t)pid);
		bool gone = r < 0 && c.sd->error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
		if (r < 0 && !gone)
			r = cerr_set(err, -r, "systemd: AttachProcessesToUnit %s: %s", unit,
				     e.message ? e.message : strerror(-r));
		c.sd->error_free(&e);
		if (!gone) /* else it went meanwhile: start it again */
			break;
	}
	return r == -EEXIST ? cerr_set(err, EEXIST, "systemd: %s: there, and going", unit) : r < 0 ? r : 0;
}

int cg_scope_start(const char *slice, const char *unit, pid_t pid, const struct cg_resources *res, char **path,
		   cerr *err)
{
	struct cg_unit_props props = { 0 };
	int r;
	if (res && (r = cg_unit_props(res, &props, err)) < 0)
		return r;
	_cleanup_(conn_close) struct conn c;
	if ((r = conn_open(&c, err)) < 0)
		return r;
	char desc[300];
	snprintf(desc, sizeof(desc), "corral container %s", unit);
	if ((r = start_scope(&c, slice, unit, desc, true, pid, &props, err)) == -EEXIST)
		r = cerr_set(err, EEXIST, "systemd: StartTransientUnit %s: the unit is there already", unit);
	if (r < 0)
		return r;
	/* where systemd put it, as the kernel says */
	char proc[64];
	_cleanup_free_ char *text = NULL;
	snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int)pid);
	if ((r = read_file(proc, 1 << 16, &text, NULL, err)) < 0)
		return r;
	char *p = strstr(text, "0::");
	if (!p)
		return cerr_set(err, ENOENT, "systemd: %s: %s has no cgroup v2 line", unit, proc);
	p[strcspn(p, "\n")] = '\0';
	if (!(*path = strdup(p + 3)))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

int cg_scope_set(const char *unit, const struct cg_resources *res, cerr *err)
{
	struct cg_unit_props props;
	int r = cg_unit_props(res, &props, err);
	if (r < 0 || (!props.n_num && !props.n_cpus && !props.n_mems))
		return r;
	_cleanup_(conn_close) struct conn c;
	if ((r = conn_open(&c, err)) < 0)
		return r;
	const struct sd_lib *sd = c.sd;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	if ((r = sd->new_method_call(c.bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties")) < 0 ||
	    (r = sd->append(m, "sb", unit, 1)) < 0 || (r = sd->open_container(m, 'a', "(sv)")) < 0 ||
	    (r = append_props(sd, m, &props)) < 0 || (r = sd->close_container(m)) < 0) {
		message_unrefp(&c, &m);
		return cerr_sys(err, -r, "systemd: SetUnitProperties %s: build the call", unit);
	}
	r = sd->call(c.bus, m, JOB_TIMEOUT_US, &e, &reply);
	message_unrefp(&c, &m);
	message_unrefp(&c, &reply);
	if (r < 0)
		r = cerr_set(err, -r, "systemd: SetUnitProperties %s: %s", unit, e.message ? e.message : strerror(-r));
	sd->error_free(&e);
	return r;
}

int cg_scope_stop(const char *unit, cerr *err)
{
	_cleanup_(conn_close) struct conn c;
	int r = conn_open(&c, err);
	if (r < 0)
		return r;
	sd_bus_message *m = NULL;
	if ((r = c.sd->new_method_call(c.bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit")) < 0 ||
	    (r = c.sd->append(m, "ss", unit, "replace")) < 0) {
		message_unrefp(&c, &m);
		return cerr_sys(err, -r, "systemd: StopUnit %s: build the call", unit);
	}
	r = call_job(&c, m, "StopUnit", unit, err);
	message_unrefp(&c, &m);
	/* a failed scope (its init OOM-killed) is collected; reset it anyway */
	c.sd->call_method(c.bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s", unit);
	return r == -ENOENT ? 0 : r;
}
