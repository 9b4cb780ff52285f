/* corrald's Container in Docker's shapes, JSON in and JSON out: what
 * corral-docker answers and what corralctl inspect prints, so both say
 * the same. Nothing here calls anyone; the caller brings corrald's reply. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Times: RFC 3339 text to seconds since the epoch (0 when empty or not one). */
long long dk_unix(const char *rfc3339);
/* Docker's "3 seconds", "About a minute", ... of seconds. */
void dk_human_duration(long long secs, char *buf, size_t n);
/* docker.io/library/busybox:1 is busybox:1, docker.io/x/y is x/y: the
 * names Docker shows; others stay as they are. */
const char *dk_familiar(const char *name);

/* Members of corral's replies: "" , dflt or false when absent. */
const char *dk_str(yajl_val o, const char *key);
long long dk_int(yajl_val o, const char *key, long long dflt);
/* An attachment's address into ip (without a "/N"), and its prefix length
 * (the address's /N, else its prefixLength, else 0) */
long long dk_address(yajl_val a, char *ip, size_t n);
bool dk_bool(yajl_val o, const char *key);
/* key: the strings of arr ([] or null when it is no array). */
int dk_gen_strings(yajl_gen g, const char *key, yajl_val arr, bool null_when_absent);
/* key: obj, or {} when it is no object. */
int dk_gen_object(yajl_gen g, const char *key, yajl_val obj);

/* Whose inspect: Docker's names a container "/web", podman's "web" and
 * adds the image's name as ImageName. */
typedef enum { DK_AS_DOCKER, DK_AS_PODMAN } dk_dialect;

/* A corral Container c (Inspect's or List's) as a row of Docker's
 * container list, and as its container inspect. img is the image's config
 * (ImageInspect's image.config), or NULL when the image is gone. */
void dk_gen_ctr_summary(yajl_gen g, yajl_val c);
void dk_gen_ctr_inspect(yajl_gen g, yajl_val c, yajl_val img, dk_dialect as);
/* The inspect's members alone, into a map the caller opened (and may add
 * more to). */
void dk_gen_ctr_inspect_members(yajl_gen g, yajl_val c, yajl_val img, dk_dialect as);
void dk_gen_networks(yajl_gen g, yajl_val nets);
void dk_gen_mounts(yajl_gen g, yajl_val mounts);
/* HostConfig.NetworkMode of a ContainerSpec. */
const char *dk_network_mode(yajl_val spec);
/* Docker's Status column: "Up 3 seconds", "Exited (0) 2 seconds ago". */
void dk_ctr_status_text(yajl_val c, char *buf, size_t n);
