/* What kubelet's relist reads (ListPodSandbox, ListContainers), kept in
 * corral-cri's memory for a client that lists again, as containerd's CRI
 * keeps its own: filled from corrald at the connection's second list
 * (crictl's one call costs corrald nothing more), then kept current from
 * corrald's Events, re-reading only the object an event names. A list is
 * answered from it only when nothing is being re-read: the client's own
 * changes (touched before their answer goes) and every event received are
 * in it; else the list goes to corrald, as the first one did. */
#pragma once
#include <stdbool.h>
#include "supervisor/cri/cri.h"
#include "supervisor/cri/runtime_v1.pb-c.h"

typedef struct cri_store cri_store;
typedef struct cri_links cri_links;

cri_store *store_new(cri_links *links);
void store_free(cri_store *s);
static inline void store_freep(cri_store **s) { store_free(*s); }

/* The list answered from the store: true (c answered), or false when it
 * cannot answer yet (the caller asks corrald) */
bool store_list_pods(cri_call *c, const Runtime__V1__PodSandboxFilter *f);
bool store_list_ctrs(cri_call *c, const Runtime__V1__ContainerFilter *f);

/* A pod or container that this client changed: re-read before the store
 * answers again (called before the change's answer goes) */
void store_touch_pod(cri_call *c, const char *id);
void store_touch_ctr(cri_call *c, const char *id);
/* every container of the pod that the store holds (StopPodSandbox's) */
void store_touch_pod_ctrs(cri_call *c, const char *pod_id);
/* A status read from corrald (PodSandboxStatus, ContainerStatus): where
 * the store holds another state, it is re-read (an event not come yet) */
void store_saw_pod(cri_call *c, const char *id, Runtime__V1__PodSandboxState st);
void store_saw_ctr(cri_call *c, const char *id, Runtime__V1__ContainerState st);
