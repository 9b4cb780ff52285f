/* What corrald keeps for the CRI: a pod is a session, a container a
 * container, and each carries the config kubelet gave, whole, in a label
 * (the message's protobuf bytes in base64), so that every status answers
 * from corrald's memory with kubelet's own metadata, labels and
 * annotations, also after corrald or corral-cri restarted. */
#pragma once
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "supervisor/cri/cri.h"

#define META_POD_CONFIG "io.kubernetes.cri.pod-config"         /* a session's PodSandboxConfig */
#define META_POD_CREATED "io.kubernetes.cri.pod-created"       /* and when, ns since the epoch */
#define META_POD_HANDLER "io.kubernetes.cri.runtime-handler"
#define META_CTR_CONFIG "io.kubernetes.cri.container-config"   /* a container's ContainerConfig */
#define META_CTR_POD "io.kubernetes.cri.sandbox-id"            /* and its pod's id */
#define META_CTR_IMAGE "io.kubernetes.cri.image-ref"           /* the image the config named */
#define META_CTR_LOG "io.kubernetes.cri.log-path"              /* its CRI log: the pod's log directory/log_path */

/* key: base64 of m's bytes, into the labels object open in g */
int meta_put(yajl_gen g, const char *key, const ProtobufCMessage *m);
/* The message under labels' key, unpacked (protobuf_c_message_free_unpacked
 * with NULL frees it); NULL when it is not there or not one. */
ProtobufCMessage *meta_get(yajl_val labels, const char *key, const ProtobufCMessageDescriptor *d);
/* An RFC 3339 time as ns since the epoch; 0 when there is none */
int64_t meta_time_ns(const char *rfc3339);
/* Whether every key=value of selector (a protobuf map: n entries of
 * key/value pairs) is in have (n_have entries) */
typedef struct meta_kv {
	ProtobufCMessage base;
	char *key, *value;
} meta_kv;
bool meta_labels_match(meta_kv *const *have, size_t n_have, meta_kv *const *selector, size_t n_selector);
/* A JSON object of a map's entries, as a key in g */
int meta_gen_map(yajl_gen g, const char *key, meta_kv *const *kv, size_t n);
/* 63 random hex digits: a pod's id, which is its session's name
 * (sessions' names are at most 63 bytes) */
int meta_new_pod_id(char out[64]);
