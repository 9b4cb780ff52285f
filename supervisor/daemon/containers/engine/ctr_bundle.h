/* The OCI config.json of a container, from corral's defaults (spec_default),
 * the image's defaults and the ContainerSpec of CreateContainer. */
#pragma once
#include "common/error.h"
#include "common/fileio.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/spec/ctr_spec.h"

struct corrald;

/* Read by runtime/init.c: "none" leaves lo down, anything else brings it up. */
#define ANNOT_NETWORK "io.corral.network"

#define BUNDLE_CONFIG "config.json"
#define BUNDLE_CONFIG_MODE 0644

typedef struct bundle_in {
	const char *id, *hostname;
	const char *dir;           /* the container's directory (bundle_write sets it) */
	const ctr_spec *spec;
	const image_ref *image;
	const char *cgroups_path; /* linux.cgroupsPath (ctr_cgroups_path) */
	const char *init_binary;   /* the host's init, with spec.init (bundle_write sets it) */
	const struct corrald *d;   /* its features (ctr_service.h) */
	const char *broker_dir;    /* a session container's broker directory on the host; NULL: none */
	uid_t owner;               /* its owner: its spec's names are as it gives them */
	const struct ctr_ids *ids; /* a user namespace of its own with these ids (ctr_ids.h); NULL: none */
} bundle_in;

/* Begin the atomic write of <dir>/config.json (wfa_begin: the caller
 * commits or aborts out). Errors name the spec field at fault (in *field)
 * when the input is to blame, else *field is NULL. */
int bundle_write(const char *dir, const bundle_in *in, const char **field, wfa_pending *out, cerr *err);
