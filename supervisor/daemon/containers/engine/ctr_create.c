/* CreateContainer's steps, top to bottom (its verb, and a checkpoint's
 * import, use them): check the spec and what the peer may ask; open a
 * member's bind sources as the member, in a child the loop hears from;
 * take a directory (a spare) and a standby monitor (fastpath.h); resolve
 * the image; write config.json and record.json; then the container is
 * known. A failure at any step undoes the steps before it and leaves
 * nothing behind; the caller's completion is told the container, or what
 * failed as a fault, which the method replies. */
#include "supervisor/daemon/containers/record/ctr_target.h"
#include "supervisor/daemon/containers/engine/ctr_port.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "supervisor/daemon/core/random_id.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/containers/record/ctr_names.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/engine/ctr_create.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_confine.h"
#include "supervisor/daemon/spec/ctr_spec_node.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/containers/engine/fastpath.h"
#include "supervisor/daemon/spec/healthcheck.h"
#include "supervisor/daemon/containers/engine/ctr_apparmor.h"
#include "supervisor/daemon/containers/engine/ctr_selinux.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/loop/child.h"
#include "supervisor/daemon/core/store_gate.h"
#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/core/labels.h"
#include "supervisor/varlink/params.h"
#include "bundle/command.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/fsync_all.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every bind source of root's exists when the container is created (or
 * is to be made as it is pinned); else false, with the field and why. */
static bool sources_exist(const ctr_spec *cspec, char field[static 64], char why[static PATH_MAX + 64])
{
	for (size_t i = 0; i < cspec->n_mounts; i++) {
		struct stat st;
		if (stat(cspec->mounts[i].source, &st) < 0 && !(errno == ENOENT && cspec->mounts[i].create_source)) {
			snprintf(field, 64, "spec.mounts[%zu].source", i);
			snprintf(why, PATH_MAX + 64, "%s: %s", cspec->mounts[i].source, strerror(errno));
			return false;
		}
	}
	return true;
}

/* A member's log keeps no more bytes than corrald's own bound lets any
 * log keep: the disk is everyone's */
static bool member_log_fits(const corrald *d, const ctr *c)
{
	return (unsigned long long)ctr_log_size(d, c) * ctr_log_files(d, c) <=
	       (unsigned long long)d->cfg->log_max_size * d->cfg->log_max_files;
}

/* Undo a directory made for c: its standby monitor is ended first, as it
 * may be writing in it. */
static void undo_dir(ctr *c, const char *dir)
{
	ctr_spawn_abandon(c);
	imagesrc_release(dir);
	ctr_pins_unmount(dir);
	rm_rf(dir);
}

static bool name_taken(const char *name, void *data)
{
	const ctr *c = data;
	return ctr_by_name(c->d, c->owner, name) != NULL;
}

/* What the record keeps of the image and the spec. */
static int describe(ctr *c, const image_ref *img, cerr *err)
{
	char made[CTR_GENERATED_NAME_MAX];
	if (!c->spec.name && ctr_name_generate(name_taken, c, made, sizeof(made)) < 0)
		return cerr_set(err, EEXIST, "no container name is free");
	c->name = strdup(c->spec.name ? c->spec.name : made);
	c->image = strdup(img->name); /* its name, though an ID was given (podman's ImageName) */
	c->image_digest = strdup(img->id);
	c->image_manifest = img->manifest ? strdup(img->manifest) : NULL;
	rfc3339_ns(0, c->created, sizeof(c->created));
	c->status = CS_CREATED;
	restart_tally_init(&c->rs);
	if (ctr_spec_image_stop_signal(&c->spec, img->stop_signal) < 0) /* left SIGTERM, as dockerd does */
		log_warn("container %s: its image's StopSignal \"%s\" is not a signal", c->id, img->stop_signal);
	if (command_compose(img->entrypoint, img->cmd, c->spec.entrypoint, c->spec.command, &c->command) < 0 ||
	    !c->name || !c->image || !c->image_digest || !c->spec_json || (img->manifest && !c->image_manifest))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* root's spec.logPath: its directory, as containerd makes a pod's */
static int log_dir_make(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	*strrchr(dir, '/') = '\0';
	return dir[0] ? mkdir_p(dir, 0755) : 0;
}

/* config.json and record.json: the record is written while config.json is
 * made; both are synced at once, then renamed, config.json first, so that a
 * record always has its bundle. *bad names a field of the spec the bundle
 * could not take. */
static int write_bundle_and_record(corrald *d, ctr *c, const char *dir, const image_ref *img, const ctr_ids *ids,
				   const char **bad, cerr *err)
{
	wfa_pending rec = WFA_PENDING_INIT, cfg = WFA_PENDING_INIT;
	char broker_dir[PATH_MAX], cgp[PATH_MAX];
	ctr_cgroups_path(d, c->spec.cgroup_parent, c->id, cgp, sizeof(cgp));
	bundle_in in = { .id = c->id, .hostname = ctr_hostname(d, c), .spec = &c->spec, .image = img,
			 .cgroups_path = cgp, .d = d, .broker_dir = broker_dir, .ids = ids,
			 .owner = c->owner };
	broker_dir[0] = '\0';
	int r = CTR_FEATURES_FIRST(d, create.created, d, c, dir, broker_dir, sizeof(broker_dir), err);
	if (r == 0 && (r = ctr_record_begin(d, c, &rec, err)) == 0 &&
	    (r = bundle_write(dir, &in, bad, &cfg, err)) == 0 &&
	    (r = wfa_commit_all((wfa_pending *const[]){ &cfg, &rec }, 2, err)) == 0) {
		fastpath_standby_prep(c); /* it loads the bundle while the directories sync */
		if ((r = fsync_dirs((const char *const[]){ dir, d->containers_dir }, 2)) < 0)
			cerr_sys(err, -r, "%s", dir);
	}
	wfa_abort(&cfg);
	wfa_abort(&rec);
	if (r < 0)
		CTR_FEATURES_EACH(d, create.uncreated, d, c);
	return r;
}

/* Its upper directory from elsewhere (an import's), in place of the empty
 * one a spare directory may hold; the overlay is mounted on it next. */
static int take_upper(const char *dir, const char *upper_from, cerr *err)
{
	char upper[PATH_MAX];
	snprintf(upper, sizeof(upper), "%s/upper", dir);
	if (rmdir(upper) < 0 && errno != ENOENT)
		return cerr_sys(err, errno, "%s", upper);
	if (rename(upper_from, upper) < 0)
		return cerr_sys(err, errno, "%s", upper_from);
	return 0;
}

int ctr_parse_spec(corrald *d, yajl_val cspec_json, ctr *c, json_fault *f)
{
	if (ctr_spec_parse(cspec_json, d->cfg->default_restart, d->cfg->default_stop_timeout, &c->spec, f) < 0 ||
	    ctr_spec_default_network(&c->spec, d->cfg->default_network, f) < 0)
		return -1;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_value(g, cspec_json) || !(c->spec_json = jg_finish(g, NULL)))
		return json_fault_set(f, ENOMEM, "spec", "out of memory");
	return 0;
}

/* What c's spec asks that its peer may not, or that cannot be: the checks
 * before anything is made. *pid_target is the container whose PID
 * namespace it joins, if it does. */
static int check_spec(corrald *d, const peer_cred *peer, ctr *c, bool own_ids, ctr **pid_target, sv_fault *fault)
{
	char field[64], why[PATH_MAX + 64];
	/* root's sources, looked at as root; a member's are opened as the
	 * member by the policy, with one answer whether they exist or not */
	if (!owner_is_member(peer) && !sources_exist(&c->spec, field, why))
		return sv_fault_invalid(fault, field, why);
	/* root's profile, where the host has no AppArmor to apply it (a
	 * member's is the policy's to refuse) */
	_cleanup_cerr_ cerr aa_err = { 0 };
	if (!owner_is_member(peer) && ctr_apparmor_check(&c->spec, &aa_err) < 0)
		return sv_fault_invalid_err(fault, "spec.apparmorProfile", &aa_err);
	/* labels the loaded policy refuses would fail the runtime's mounts */
	_cleanup_cerr_ cerr se_err = { 0 };
	if (ctr_selinux_check(&c->spec, &se_err) < 0)
		return sv_fault_invalid_err(fault, "spec.selinuxOptions", &se_err);
	ctr *other = c->spec.name ? ctr_by_name(d, peer->uid, c->spec.name) : NULL;
	if (other) {
		ctr_fault_name_in_use(other, fault);
		return -1;
	}
	if (owner_is_member(peer) && !member_log_fits(d, c)) {
		snprintf(why, sizeof(why), "spec.logMaxSize: a member's log keeps at most corrald's log-max-size times "
					  "log-max-files (%zu bytes)", d->cfg->log_max_size * d->cfg->log_max_files);
		return sv_fault_denied(fault, why);
	}
	if (c->spec.userns_host && owner_is_member(peer))
		return sv_fault_denied(fault, "spec.userns: host: a member's containers run in a user namespace of their own");
	if (c->spec.userns_auto && c->spec.privileged)
		return sv_fault_invalid(fault, "spec.userns", "auto: a privileged container has the host's ids");
	if (c->spec.userns_ids.size && peer->uid != 0)
		return sv_fault_denied(fault, "spec.usernsIds: only root may choose a container's host ids");
	if (c->spec.userns_ids.size && c->spec.privileged)
		return sv_fault_invalid(fault, "spec.usernsIds", "a privileged container has the host's ids");
	/* another's PID namespace (kubectl debug --target): a running one the
	 * peer sees, never from a user namespace of its own, which could not
	 * mount that namespace's /proc */
	if (c->spec.pid_ns == CTR_NS_CONTAINER) {
		ctr *target = *pid_target = ctr_find_for(d, c->spec.pid_target, peer);
		if (!target)
			return sv_fault_invalid(fault, "spec.pidNamespace", "no such container");
		if (!ctr_alive(target) || target->pid <= 0)
			return sv_fault_invalid(fault, "spec.pidNamespace", "that container is not running");
		if (own_ids)
			return sv_fault_invalid(fault, "spec.pidNamespace",
						"a container with a user namespace of its own cannot join another's PID namespace");
	}
	/* an idmapped bind makes the container's root the owner of what the
	 * host's root owns there: root's to give */
	for (size_t i = 0; i < c->spec.n_mounts; i++) {
		if (!c->spec.mounts[i].idmap)
			continue;
		snprintf(why, sizeof(why), "spec.mounts[%zu].idmap", i);
		if (peer->uid != 0)
			return sv_fault_denied(fault, "spec.mounts[].idmap: only root may idmap a bind (its files' owner "
						      "would be the container's root)");
		if (!own_ids)
			return sv_fault_invalid(fault, why, "needs a user namespace of the container's own (usernsIds, or userns auto)");
	}
	if (c->spec.privileged && peer->uid != 0)
		return sv_fault_denied(fault, "spec.privileged: only root may create a privileged container");
	/* the bridge learns a MAC where it last saw it: another container's
	 * would take that one's traffic */
	if (c->spec.mac_address && peer->uid != 0)
		return sv_fault_denied(fault, "spec.macAddress: only root may fix a MAC address (another container's would "
					      "take its traffic on the bridge)");
	const char *roots;
	if (ctr_spec_confine_is_roots(&c->spec, &roots) && peer->uid != 0) {
		snprintf(why, sizeof(why), "%s: only root may change what keeps a container in", roots);
		return sv_fault_denied(fault, why);
	}
	if (c->spec.oom_score_adj < 0 && peer->uid != 0)
		return sv_fault_denied(fault, "spec.resources.oomScoreAdj: below 0 is root's");
	if ((c->spec.log_path || c->spec.cgroup_parent) && peer->uid != 0)
		return sv_fault_denied(fault, c->spec.log_path ? "spec.logPath: only root may name where a log goes"
							       : "spec.cgroupParent: only root may place a container's cgroup");
	for (char **k = c->spec.sysctls; k && k[0] && k[1]; k += 2)
		if (peer->uid != 0 && !ctr_sysctl_is_safe(k[0]))
			return sv_fault_denied(fault, "spec.sysctls: a member may set Kubernetes' safe sysctls only");
	if (c->spec.cgroup_parent && (c->spec.cgroup_parent[0] == '/') == d->systemd_cgroup)
		return sv_fault_invalid(fault, "spec.cgroupParent",
					d->systemd_cgroup ? "the systemd cgroup manager takes a slice's name (a-b.slice)"
							  : "the cgroupfs manager takes an absolute path");
	return 0;
}

/* A missing object a feature found named in the spec. */
static int missing_fault(const ctr_missing *miss, sv_fault *fault)
{
	sv_object object = miss->kind == CTR_MISSING_SESSION   ? SV_SESSION
			   : miss->kind == CTR_MISSING_NETWORK ? SV_NETWORK
			   : miss->kind == CTR_MISSING_VOLUME  ? SV_VOLUME
							       : SV_SECRET;
	return sv_fault_no_such(fault, object, miss->name);
}

/* A Create under way: the container being made (until it is known), who
 * asked, and the completion told how it ended. */
typedef struct pending_create {
	corrald *d;
	ctr *c;
	peer_cred peer;
	const char *method;
	char *upper_from;
	ctr_done *done;
	ctr_pins pins;
} pending_create;

/* The end of a Create: made, or what the features made for it goes. */
static void create_end(pending_create *p, ctr *made, sv_fault *fault)
{
	if (p->c) {
		CTR_FEATURES_EACH(p->d, create.unchecked, p->d, &p->c->spec);
		ctr_free(p->c);
	}
	ctr_pins_release(&p->pins);
	ctr_done_tell(&p->done, made, fault);
	free(p->upper_from);
	free(p);
}

static bool own_ids_of(const peer_cred *peer, const ctr *c)
{
	return owner_is_member(peer) || c->spec.userns_auto || c->spec.userns_ids.size;
}

/* The container is in the table: the Create is over */
static ctr *known(pending_create *p)
{
	corrald *d = p->d;
	ctr *made = TAKE_PTR(p->c);
	made->next = d->ctrs;
	d->ctrs = made;
	CTR_FEATURES_EACH(d, create.known, d, made);
	ctr_publish(d, made, "create", (const char *const[]){ "image", made->image, NULL });
	ctr_update_gauges(d);
	return made;
}

static int fill_start(pending_create *p, const char *dir, sv_fault *fault);

/* After the features' checks (and a member's sources opened): the spec's
 * checks, the policy, the directory, the image, the bundle and the record,
 * and the features' fill; 0 with *made_out, 1 while the fill runs (filled
 * ends the Create), or -1 with *fault. */
static int make(pending_create *p, ctr **made_out, sv_fault *fault)
{
	corrald *d = p->d;
	const peer_cred *peer = &p->peer;
	const char *upper_from = p->upper_from;
	ctr *c = p->c;
	json_fault f = { 0 };
	bool own_ids = own_ids_of(peer, c);
	ctr *pid_target = NULL;
	int r;
	if (check_spec(d, peer, c, own_ids, &pid_target, fault) < 0)
		return -1;

	/* the policy: ceilings, defaults, allow-lists; bind sources pinned */
	_cleanup_cerr_ cerr err = { 0 };
	if (c->spec.log_path && (r = log_dir_make(c->spec.log_path)) < 0) {
		cerr_sys(&err, -r, "the directory of %s", c->spec.log_path);
		return sv_fault_invalid_err(fault, "spec.logPath", &err);
	}
	if (ctr_ports_pick(d, &c->spec, &err) < 0) /* before the policy looks at them */
		return sv_fault_invalid_err(fault, "spec.ports", &err);
	policy_violation pv;
	r = CTR_FEATURES_FIRST(d, create.admit, d, peer, &c->spec, &p->pins, &pv, &err);
	if (r == POLICY_REFUSED) {
		policy_fault(d, peer, p->method, &pv, fault);
		return -1;
	}
	if (r < 0)
		return sv_fault_internal_err(fault, &err);
	c->owner = peer->uid;
	if (owner_is_member(peer)) {
		c->owner_gid = peer->gid;
		if (peer->n_groups > 0 && !(c->owner_groups = calloc((size_t)peer->n_groups, sizeof(gid_t))))
			return sv_fault_internal(fault, "out of memory");
		for (int i = 0; i < peer->n_groups; i++)
			c->owner_groups[c->n_owner_groups++] = peer->groups[i];
	}

	/* its directory, and its monitor on standby */
	random_hex_id(c->id, CTR_ID_LEN / 2);
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	if ((r = fastpath_dir_take(d, dir)) < 0) {
		cerr_sys(&err, -r, "%s", dir);
		return sv_fault_internal_err(fault, &err);
	}
	fastpath_standby(d, c); /* its exec overlaps the rest of Create */
	/* what each pin is of, should a host restart take them (ctr_repin.h) */
	for (size_t i = 0; i < p->pins.n && i < c->spec.n_mounts; i++) {
		char *src = strdup(c->spec.mounts[i].source);
		if (!src || strv_push(&c->pin_sources, src) < 0) {
			free(src);
			undo_dir(c, dir);
			return sv_fault_internal(fault, "out of memory");
		}
	}
	if (ctr_pins_mount(&p->pins, dir, &c->spec, &err) < 0) {
		undo_dir(c, dir);
		return sv_fault_internal_err(fault, &err);
	}

	/* the image */
	/* in the creator's view; by the manifest the policy checked, if it did */
	_cleanup_(image_ref_release) image_ref img = { 0 };
	refs_view view;
	img_view(peer, &view);
	/* a member's: in a user namespace of its own ids (ctr_ids.h) */
	ctr_ids ids;
	rootfs_ids rids = { .userns_fd = -1 };
	if (c->spec.userns_ids.size) /* kubelet's, for a pod without hostUsers */
		ctr_ids_of_range(c->spec.userns_ids.uid, c->spec.userns_ids.gid, c->spec.userns_ids.size, &ids);
	if (own_ids && ((!c->spec.userns_ids.size && ctr_ids_for(d, peer->uid, peer->gid, &ids, &err) < 0) ||
			ctr_ids_rootfs(&ids, &rids, &err) < 0 || ctr_ids_dir(dir, &ids, &err) < 0)) {
		undo_dir(c, dir);
		return sv_fault_internal_err(fault, &err);
	}
	_cleanup_close_ int userns = rids.userns_fd;
	char target_cg[PATH_MAX];
	if (pid_target)
		ctr_cgroup_path(d, pid_target, target_cg, sizeof(target_cg));
	if (pid_target && ctr_pins_pid_ns(dir, pid_target->pid, target_cg, &err) < 0) {
		undo_dir(c, dir);
		return sv_fault_invalid_err(fault, "spec.pidNamespace", &err);
	}
	if (upper_from && take_upper(dir, upper_from, &err) < 0) {
		undo_dir(c, dir);
		return sv_fault_internal_err(fault, &err);
	}
	if (imagesrc_resolve(d->cfg->state_dir, &view, p->pins.image[0] ? p->pins.image : c->spec.image, dir,
			     own_ids ? &rids : NULL, &img, &err) < 0) {
		undo_dir(c, dir);
		if (err.code == EEXIST) /* a short name of two images, or an ID prefix of two */
			return sv_fault_invalid_err(fault, "spec.image", &err);
		if (err.code != ENOENT)
			return sv_fault_internal_err(fault, &err);
		return sv_fault_no_such(fault, SV_IMAGE, c->spec.image);
	}
	if (img.shared)
		fastpath_dir_unneeded(dir);
	if (CTR_FEATURES_FIRST(d, create.image_found, d, &c->spec, img.volumes, peer, &f) < 0) {
		undo_dir(c, dir);
		return sv_fault_json(fault, &f);
	}
	if (!c->spec.healthcheck && !c->spec.no_healthcheck &&
	    health_check_from_image(img.healthcheck, &c->spec.healthcheck, &err) < 0) {
		undo_dir(c, dir);
		return sv_fault_invalid_err(fault, "spec.image", &err);
	}

	/* its bundle and record (with the mark of a fill to come, synced with
	 * them: a corrald that dies before the fill ends takes it for half made) */
	const char *bad = NULL;
	char mark[PATH_MAX];
	snprintf(mark, sizeof(mark), "%s/" CTR_FILLING_FILE, dir);
	int fills = CTR_FEATURES_FIRST(d, create.fills, c), markfd = -1;
	if (fills && (markfd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		cerr_sys(&err, errno, "%s", mark);
		undo_dir(c, dir);
		return sv_fault_internal_err(fault, &err);
	}
	if (markfd >= 0)
		close(markfd);
	if (describe(c, &img, &err) < 0 || write_bundle_and_record(d, c, dir, &img, own_ids ? &ids : NULL, &bad, &err) < 0) {
		undo_dir(c, dir);
		if (bad)
			return sv_fault_invalid_err(fault, bad, &err);
		return sv_fault_internal_err(fault, &err);
	}
	if (fills)
		return fill_start(p, dir, fault);
	*made_out = known(p);
	return 0;
}

/* In the fill's child: each feature's fill; 1 with why on stderr */
static int fill_main(void *arg)
{
	const pending_create *p = arg;
	char dir[PATH_MAX];
	ctr_dir(p->d, p->c, dir, sizeof(dir));
	cerr err = { 0 };
	if (CTR_FEATURES_FIRST(p->d, create.fill, p->d, p->c, dir, &err) < 0) {
		fprintf(stderr, "%s", cerr_msg(&err));
		return 1;
	}
	return 0;
}

/* The fill is over: the container is known, or it goes as if never made
 * (a name another Create took meanwhile too) */
static void filled(const el_child_result *r, void *data)
{
	pending_create *p = data;
	corrald *d = p->d;
	ctr *c = p->c;
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	char dir[PATH_MAX], mark[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(mark, sizeof(mark), "%s/" CTR_FILLING_FILE, dir);
	ctr *other = ctr_by_name(d, c->owner, c->name);
	_cleanup_cerr_ cerr err = { 0 };
	if (r->code != 0) {
		cerr_set(&err, EIO, "%s", r->out[1].len ? r->out[1].buf : "filling its volumes failed");
		sv_fault_internal_err(&fault, &err);
	} else if (CTR_FEATURES_FIRST(d, create.filled, d, c, &err) < 0) {
		sv_fault_internal_err(&fault, &err);
	} else if (other) {
		ctr_fault_name_in_use(other, &fault);
	} else if (unlink(mark) < 0) {
		cerr_sys(&err, errno, "%s", mark);
		sv_fault_internal_err(&fault, &err);
	}
	if (fault.kind) {
		CTR_FEATURES_EACH(d, create.uncreated, d, c);
		undo_dir(c, dir);
		return create_end(p, NULL, &fault);
	}
	create_end(p, known(p), NULL);
}

/* The fill starts: 1, or -1 with *fault */
static int fill_start(pending_create *p, const char *dir, sv_fault *fault)
{
	_cleanup_cerr_ cerr err = { 0 };
	el_child_opts o = { .fn = fill_main, .arg = p, .fd3 = SPAWN_NULL, .max_output = 4096, .member = p->peer.uid };
	el_child *child;
	if (el_child_run(p->d->loop, &o, filled, p, &child, &err) < 0) {
		CTR_FEATURES_EACH(p->d, create.uncreated, p->d, p->c);
		undo_dir(p->c, dir);
		return sv_fault_internal_err(fault, &err);
	}
	return 1;
}

static void create_finish(pending_create *p)
{
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	ctr *made = NULL;
	int r = make(p, &made, &fault);
	if (r < 0)
		return create_end(p, NULL, &fault);
	if (r == 0)
		create_end(p, made, NULL);
	/* 1: filled() ends it */
}

/* A member's sources are open, or it is known which was not: the spec is
 * checked again (a name, or the container whose PID namespace it joins, may
 * have changed meanwhile) as make goes on, once no gc holds the image
 * store (store_gate.h: the call was let through before one began). */
static void sources_opened(void *data)
{
	pending_create *p = data;
	if (store_gate_wait(p->d, sources_opened, p) > 0)
		return;
	create_finish(p);
}

void ctr_create(corrald *d, const peer_cred *peer, const char *method, ctr *parsed, const char *upper_from,
		ctr_done *done)
{
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	pending_create *p = calloc(1, sizeof(*p));
	if (!p || (upper_from && !(p->upper_from = strdup(upper_from)))) {
		free(p);
		ctr_free(parsed);
		sv_fault_internal(&fault, "out of memory");
		return ctr_done_tell(&done, NULL, &fault);
	}
	*p = (pending_create){ .d = d, .c = parsed, .peer = *peer, .method = method, .upper_from = p->upper_from };
	ctr_done_hold(&p->done, done);
	/* what it names: refused before anything is made */
	json_fault f = { 0 };
	ctr_missing miss = { 0 };
	int r = CTR_FEATURES_FIRST(d, create.check, d, &p->c->spec, peer, &miss, &f);
	if (r == CTR_MISSING) {
		missing_fault(&miss, &fault);
		return create_end(p, NULL, &fault);
	}
	if (r < 0 || CTR_FEATURES_FIRST(d, create.complete_spec, d, &p->c->spec, peer->uid, &f) < 0) {
		sv_fault_json(&fault, &f);
		return create_end(p, NULL, &fault);
	}
	if (!owner_is_member(peer) || !p->c->spec.n_mounts)
		return create_finish(p);
	/* a member's sources are opened as the member, in a child the loop
	 * hears from: a lookup it made slow holds up no one else. What it may
	 * not ask is refused before. */
	ctr *pid_target;
	_cleanup_cerr_ cerr err = { 0 };
	if (check_spec(d, peer, p->c, own_ids_of(peer, p->c), &pid_target, &fault) < 0)
		return create_end(p, NULL, &fault);
	if (ctr_pins_open_as_member(d->loop, &p->c->spec, &p->peer, &p->pins, sources_opened, p, &err) < 0) {
		sv_fault_internal_err(&fault, &err);
		return create_end(p, NULL, &fault);
	}
}
