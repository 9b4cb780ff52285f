#include "supervisor/daemon/secrets/deliver.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/secrets/methods.h"
#include "supervisor/daemon/secrets/secrets_methods.h"
#include "supervisor/daemon/spec/spec_secrets.h"
#include "supervisor/daemon/secrets/secret_store.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/crilog_mask.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file directly in /run/secrets: its name there; else NULL. */
static const char *in_run_secrets(const ctr_secret *s)
{
	size_t n = strlen(SECRETS_DIR_IN_CTR);
	const char *t = s->target;
	return !strncmp(t, SECRETS_DIR_IN_CTR "/", n + 1) && !strchr(t + n + 1, '/') ? t + n + 1 : NULL;
}

void secrets_gen_mounts(yajl_gen g, const ctr_spec *s, const char *dir)
{
	if (!s->n_secrets)
		return;
	char src[PATH_MAX];
	const char *const opts[] = { "bind", "ro", "nosuid", "nodev", "noexec" };
	for (size_t i = 0; i <= s->n_secrets; i++) {
		const char *dst = SECRETS_DIR_IN_CTR;
		if (i == 0) {
			snprintf(src, sizeof(src), "%s/" SECRETS_MNT "/" SECRETS_FILES, dir);
		} else if (!in_run_secrets(&s->secrets[i - 1])) {
			snprintf(src, sizeof(src), "%s/" SECRETS_MNT "/" SECRETS_EXTRA "/%zu", dir, i - 1);
			dst = s->secrets[i - 1].target;
		} else {
			continue;
		}
		yajl_gen_map_open(g);
		jg_key_str(g, "destination", dst);
		jg_key_str(g, "type", "bind");
		jg_key_str(g, "source", src);
		jg_key(g, "options");
		yajl_gen_array_open(g);
		for (size_t k = 0; k < ARRAY_SIZE(opts); k++)
			jg_str(g, opts[k]);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
}

/* One file of the tmpfs, written whole, then given its owner and mode. */
static int put_file(int dfd, const char *name, const void *p, size_t n, uid_t uid, gid_t gid, mode_t mode, cerr *err)
{
	_cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "secrets: %s", name);
	for (size_t done = 0; done < n;) {
		ssize_t k = write(fd, (const char *)p + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return cerr_sys(err, k < 0 ? errno : ENOSPC, "secrets: write %s", name);
		done += (size_t)k;
	}
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
		return cerr_sys(err, errno, "secrets: %s", name);
	return 0;
}

/* What mask=true redacts: the value without its last newline; a value of
 * many lines, each line of 4 bytes or more (a line of one is no secret). */
static int add_mask(secbuf *mask, const secbuf *v)
{
	size_t n = v->len;
	while (n && (v->p[n - 1] == '\n' || v->p[n - 1] == '\r'))
		n--;
	const unsigned char *nl = memchr(v->p, '\n', n);
	if (!nl)
		return crilog_mask_add(mask, v->p, n);
	for (size_t i = 0; i < n;) {
		const unsigned char *e = memchr(v->p + i, '\n', n - i);
		size_t len = (e ? (size_t)(e - v->p) : n) - i, keep = len;
		while (keep && v->p[i + keep - 1] == '\r')
			keep--;
		int r = keep >= 4 ? crilog_mask_add(mask, v->p + i, keep) : 0;
		if (r < 0)
			return r;
		i += len + 1;
	}
	return 0;
}

/* The secret s's name holds now (info) is the one c was bound to at
 * Create; else refused, before anything is mounted. A reference from a
 * record older than identities binds now, to a secret c's owner may use. */
static int check_bound(const ctr *c, ctr_secret *s, const secret_info *info, cerr *err)
{
	char id[SECRET_ID_MAX];
	secret_id(info, id, sizeof(id));
	if (s->id && !streq(s->id, id))
		return cerr_set(err, ESTALE,
				"secret %s was removed and made again since the container was created: "
				"create the container again to use the new one",
				s->name);
	if (s->id)
		return 0;
	return (s->id = strdup(id)) ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

/* s's secret as c's owner names it */
static int ref_of(const ctr *c, const ctr_secret *s, secret_ref *ref, cerr *err)
{
	if (!secrets_ref_for(s->name, &(peer_cred){ .uid = c->owner }, ref))
		return cerr_set(err, ENOENT, "no such secret: %s", s->name);
	return 0;
}

/* The files, into the mounted tmpfs at mfd. */
static int fill(corrald *d, ctr *c, int mfd, uid_t uid, gid_t gid, cerr *err)
{
	char store[PATH_MAX];
	secrets_dir(d, store, sizeof(store));
	if (mkdirat(mfd, SECRETS_FILES, 0755) < 0 || mkdirat(mfd, SECRETS_EXTRA, 0700) < 0)
		return cerr_sys(err, errno, "secrets: mkdir");
	_cleanup_close_ int files = openat(mfd, SECRETS_FILES, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int extra = openat(mfd, SECRETS_EXTRA, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (files < 0 || extra < 0)
		return cerr_sys(err, errno, "secrets: open");
	_cleanup_(secbuf_release) secbuf mask = { 0 };
	for (size_t i = 0; i < c->spec.n_secrets; i++) {
		ctr_secret *s = &c->spec.secrets[i];
		_cleanup_(secbuf_release) secbuf v = { 0 };
		secret_info info;
		secret_ref ref;
		int r = ref_of(c, s, &ref, err);
		if (r < 0 || (r = secret_store_get(store, &ref, &v, &info, err)) < 0 ||
		    (r = check_bound(c, s, &info, err)) < 0) /* the sealed header, this time */
			return r;
		char idx[24];
		snprintf(idx, sizeof(idx), "%zu", i);
		const char *name = in_run_secrets(s);
		uid_t owner = s->uid >= 0 ? (uid_t)s->uid : uid;
		if ((r = put_file(name ? files : extra, name ? name : idx, v.p, v.len, owner, gid, s->mode, err)) < 0)
			return r;
		if (s->mask && (r = add_mask(&mask, &v)) < 0)
			return cerr_sys(err, -r, "secrets: mask");
	}
	return mask.len ? put_file(mfd, strrchr(CRILOG_MASK_FILE, '/') + 1, mask.p, mask.len, 0, 0, 0400, err) : 0;
}

int secrets_deliver(corrald *d, ctr *c, cerr *err)
{
	if (!c->spec.n_secrets)
		return 0;
	char dir[PATH_MAX], mnt[PATH_MAX + 16];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(mnt, sizeof(mnt), "%s/" SECRETS_MNT, dir);
	secrets_withdraw(d, c); /* one left by a corrald that died mid-start */
	struct bundle_user user;
	int r = ctr_process_user(d, c, &user, err);
	if (r < 0)
		return cerr_wrap(err, "container %s: secrets", c->name);
	uid_t uid = user.host_uid;
	gid_t gid = user.host_gid;
	size_t total = 0;
	char store[PATH_MAX];
	secrets_dir(d, store, sizeof(store));
	for (size_t i = 0; i < c->spec.n_secrets; i++) {
		secret_info info;
		secret_ref ref;
		if ((r = ref_of(c, &c->spec.secrets[i], &ref, err)) < 0 || (r = secret_store_info(store, &ref, &info, err)) < 0)
			return cerr_wrap(err, "container %s", c->name);
		if ((r = check_bound(c, &c->spec.secrets[i], &info, err)) < 0)
			return cerr_wrap(err, "container %s", c->name);
		total += 2 * info.size + 4096; /* the file, its mask, a page each */
	}
	char opts[96];
	snprintf(opts, sizeof(opts), "mode=0700,size=%zu,nr_inodes=%zu", total + 65536, c->spec.n_secrets + 16);
	if ((mkdir(mnt, 0700) < 0 && errno != EEXIST) ||
	    mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return cerr_sys(err, errno, "container %s: secrets: mount a tmpfs on %s", c->name, mnt);
	_cleanup_close_ int mfd = open(mnt, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mfd < 0)
		r = cerr_sys(err, errno, "%s", mnt);
	else
		r = fill(d, c, mfd, uid, gid, err);
	if (r < 0) {
		secrets_withdraw(d, c);
		return cerr_wrap(err, "container %s", c->name);
	}
	return 0;
}

void secrets_withdraw(corrald *d, ctr *c)
{
	if (!c->spec.n_secrets)
		return;
	char mnt[PATH_MAX + 16];
	ctr_dir(d, c, mnt, PATH_MAX);
	strcat(mnt, "/" SECRETS_MNT);
	/* a tmpfs left stacked by an earlier start too, to the bound */
	for (int i = 0; i < 16 && umount2(mnt, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
		;
	if (rmdir(mnt) < 0 && errno != ENOENT)
		log_warn("container %s: secrets: rmdir %s: %s", c->name, mnt, strerror(errno));
}
