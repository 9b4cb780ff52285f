/* The items of ListPodSandbox and ListContainers, made from corrald's
 * session and container JSON once, so that a list answers from them,
 * filtered, whether they were read for that call or kept (cri_store.h). */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "supervisor/cri/cri.h"
#include "common/strbuf.h"
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/runtime_v1.pb-c.h"

/* What a session's or a container's JSON says, as the CRI sees it: the
 * config kubelet gave (NULL when it is not a CRI one; the caller frees it:
 * protobuf_c_message_free_unpacked), the state, the creation time (ns),
 * the image id ("sha256:...") */
Runtime__V1__PodSandboxConfig *pod_config_of(yajl_val session);
bool pod_is_ready(yajl_val session);
int64_t pod_created_ns(yajl_val session);
Runtime__V1__ContainerConfig *ctr_config_of(yajl_val ct);
Runtime__V1__ContainerState ctr_state_of(yajl_val ct);
void ctr_image_id(yajl_val ct, char *out, size_t n);

/* A session's PodSandboxStatus (PodSandboxStatus's answer, a pod's event):
 * st points into net and ip, which point into ip */
typedef struct cri_pod_status {
	Runtime__V1__PodSandboxStatus st;
	Runtime__V1__PodSandboxNetworkStatus net;
	char ip[64];
} cri_pod_status;
/* Its id, cfg's metadata, the state, the creation time and the address
 * (its prefix length cut; none when not ready) into out */
void pod_status_of(yajl_val session, const char *id, Runtime__V1__PodSandboxConfig *cfg, cri_pod_status *out);

/* What a ContainerStatus points into beside its JSON (cri_ctr_status_of):
 * the image id, and the resources as corrald keeps them (Update's too) */
struct cri_status_mem {
	char ref[CRI_IMAGE_REF_MAX];
	Runtime__V1__ContainerResources res;
	Runtime__V1__LinuxContainerResources linux;
};

typedef struct cri_pod_item {
	Runtime__V1__PodSandbox item; /* as the list gives it: points into cfg and the rest */
	Runtime__V1__PodSandboxConfig *cfg;
	char id[64];
	char *handler;
} cri_pod_item;

typedef struct cri_ctr_item {
	Runtime__V1__Container item;
	Runtime__V1__ContainerConfig *cfg;
	char id[65], pod[64], ref[CRI_IMAGE_REF_MAX];
} cri_ctr_item;

/* The item of a session (SessionList's, SessionInspect's): 0, or -1 when
 * it is not a CRI pod (a session of corral's own) or out of memory */
int pod_item_of(yajl_val session, cri_pod_item *out);
void pod_item_release(cri_pod_item *p);
/* The item of a container (List's, Inspect's): 0, or -1 when it is not a
 * CRI container */
int ctr_item_of(yajl_val ct, cri_ctr_item *out);
void ctr_item_release(cri_ctr_item *x);

/* The list's response of the n items (NULL ones skipped) that f lets
 * through, packed into out (reset first): 0, or -1 out of memory; and
 * whether f lets every item through */
int pod_items_pack(const Runtime__V1__PodSandboxFilter *f, cri_pod_item *const *items, size_t n, strbuf *out);
int ctr_items_pack(const Runtime__V1__ContainerFilter *f, cri_ctr_item *const *items, size_t n, strbuf *out);
bool pod_filter_empty(const Runtime__V1__PodSandboxFilter *f);
bool ctr_filter_empty(const Runtime__V1__ContainerFilter *f);
/* The list's answer: the same, sent */
void pod_items_answer(cri_call *c, const Runtime__V1__PodSandboxFilter *f, cri_pod_item *const *items, size_t n);
void ctr_items_answer(cri_call *c, const Runtime__V1__ContainerFilter *f, cri_ctr_item *const *items, size_t n);
