/* Each owner's volume names are its own (vol_store.h): where they are,
 * how a call names them, and what root sees of the members'. */
#include "supervisor/daemon/volumes/vol_int.h"
#include "supervisor/daemon/volumes/vol_owners.h"
#include "supervisor/api/owned_name.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNER_MARK OWNED_NAME_MARK /* <state-dir>/volumes/@<uid>: no name starts with it */

void vol_dir(const corrald *d, uid_t owner, char *buf, size_t n)
{
	if (owner == 0)
		snprintf(buf, n, "%s/volumes", d->cfg->state_dir);
	else
		snprintf(buf, n, "%s/volumes/%c%u", d->cfg->state_dir, OWNER_MARK, (unsigned)owner);
}

bool vol_ref_parse(const peer_cred *peer, const char *ref, vol_ref *out)
{
	*out = (vol_ref){ 0 };
	return owned_name_parse(ref, peer->uid, &out->owner, out->name, sizeof(out->name)) && vol_name_valid(out->name);
}

int vol_discard(struct corrald *d, uid_t owner, const char *name, cerr *err)
{
	char dir[PATH_MAX], gone[PATH_MAX];
	vol_dir(d, owner, dir, sizeof(dir));
	int r = vol_unname(dir, name, gone, sizeof(gone), err);
	return r < 0 ? r : trash_dir(d, gone, err);
}

const char *vol_shown_name(const peer_cred *peer, const vol_info *v, char *buf, size_t n)
{
	return owned_name_shown(v->name, v->owner, peer->uid, buf, n);
}

void vol_publish(struct corrald *d, uid_t owner, const char *action, const char *name)
{
	char uid[16];
	snprintf(uid, sizeof(uid), "%u", (unsigned)owner);
	events_publish(d->events, EV_OWNER(owner), "volume", action, name, name, (const char *const[]){ "owner", uid, NULL },
		       0);
}

/* more's volumes after *v's */
static int append(vol_info **v, size_t *n, vol_info *more, size_t k, cerr *err)
{
	if (!k) {
		free(more);
		return 0;
	}
	vol_info *all = realloc(*v, (*n + k) * sizeof(**v));
	if (!all) {
		vol_list_free(more, k);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	memcpy(all + *n, more, k * sizeof(*more));
	free(more);
	*v = all;
	*n += k;
	return 0;
}

int vol_list_seen(const corrald *d, const peer_cred *peer, vol_info **out, size_t *n, cerr *err)
{
	char dir[PATH_MAX];
	vol_dir(d, peer->uid, dir, sizeof(dir));
	int r = vol_list(dir, out, n, err);
	if (r < 0 || peer->uid != 0 || peer->own_only)
		return r;
	_cleanup_closedir_ DIR *top = opendir(dir);
	struct dirent *e;
	uid_t owner;
	while (top && (e = readdir(top)))
		if (e->d_name[0] == OWNER_MARK && owned_uid_parse(e->d_name + 1, &owner)) {
			vol_info *more = NULL;
			size_t k = 0;
			char sub[PATH_MAX];
			vol_dir(d, owner, sub, sizeof(sub));
			if ((r = vol_list(sub, &more, &k, err)) < 0 || (r = append(out, n, more, k, err)) < 0) {
				vol_list_free(*out, *n);
				*out = NULL;
				*n = 0;
				return r;
			}
		}
	return 0;
}

void volumes_start(corrald *d)
{
	/* a store from before names were per owner kept members' volumes
	 * among root's: each goes to its owner's names */
	char dir[PATH_MAX];
	vol_dir(d, 0, dir, sizeof(dir));
	vol_info *v = NULL;
	size_t n = 0;
	_cleanup_cerr_ cerr err = { 0 };
	if (vol_list(dir, &v, &n, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "volumes");
	for (size_t i = 0; i < n; i++) {
		if (v[i].owner == 0)
			continue;
		char sub[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
		vol_dir(d, v[i].owner, sub, sizeof(sub));
		snprintf(from, sizeof(from), "%s/%s", dir, v[i].name);
		snprintf(to, sizeof(to), "%s/%s", sub, v[i].name);
		if ((mkdir(sub, 0711) < 0 && errno != EEXIST) || renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
			log_warn("volume %s of uid %u: could not move it to %s: %s", v[i].name, (unsigned)v[i].owner, sub,
				 strerror(errno));
	}
	vol_list_free(v, n);
}
