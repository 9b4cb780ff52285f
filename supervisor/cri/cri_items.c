/* A session or a container as the CRI sees it, and the lists' items
 * (cri_items.h). */
#include "supervisor/cri/cri_items.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_meta.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Runtime__V1__PodSandboxConfig *pod_config_of(yajl_val session)
{
	return (void *)meta_get(json_get(session, "labels"), META_POD_CONFIG, &runtime__v1__pod_sandbox_config__descriptor);
}

bool pod_is_ready(yajl_val session)
{
	yajl_val v = json_get(session, "stopped");
	return !(v && YAJL_IS_TRUE(v));
}

int64_t pod_created_ns(yajl_val session)
{
	const char *ns = json_str(json_get(session, "labels"), META_POD_CREATED);
	return ns ? strtoll(ns, NULL, 10) : meta_time_ns(json_str(session, "created"));
}

void pod_status_of(yajl_val session, const char *id, Runtime__V1__PodSandboxConfig *cfg, cri_pod_status *out)
{
	bool ready = pod_is_ready(session);
	*out = (cri_pod_status){ .st = RUNTIME__V1__POD_SANDBOX_STATUS__INIT,
				 .net = RUNTIME__V1__POD_SANDBOX_NETWORK_STATUS__INIT };
	out->st.id = (char *)id;
	out->st.metadata = cfg->metadata;
	out->st.state = ready ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
	out->st.created_at = pod_created_ns(session);
	const char *addr = json_str(session, "ipAddress");
	if (addr && ready)
		snprintf(out->ip, sizeof(out->ip), "%.*s", (int)strcspn(addr, "/"), addr);
	out->net.ip = out->ip;
	out->st.network = &out->net;
}

Runtime__V1__ContainerConfig *ctr_config_of(yajl_val ct)
{
	return (void *)meta_get(json_get(ct, "labels"), META_CTR_CONFIG, &runtime__v1__container_config__descriptor);
}

Runtime__V1__ContainerState ctr_state_of(yajl_val ct)
{
	const char *st = json_str(json_get(ct, "state"), "status");
	if (!st)
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
	if (streq(st, "created"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
	if (streq(st, "running") || streq(st, "paused") || streq(st, "restarting"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
	if (streq(st, "exited"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
	return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
}

void ctr_image_id(yajl_val ct, char *out, size_t n)
{
	const char *d = json_str(ct, "imageDigest");
	snprintf(out, n, "%s%s", d && strncmp(d, "sha256:", 7) ? "sha256:" : "", d ? d : "");
}

int pod_item_of(yajl_val session, cri_pod_item *out)
{
	*out = (cri_pod_item){ 0 };
	const char *id = json_str(session, "name");
	if (!id || strlen(id) >= sizeof(out->id) || !(out->cfg = pod_config_of(session)))
		return -1;
	snprintf(out->id, sizeof(out->id), "%s", id);
	if (!(out->handler = strdup(json_str(json_get(session, "labels"), META_POD_HANDLER) ?: ""))) {
		pod_item_release(out);
		return -1;
	}
	Runtime__V1__PodSandbox *p = &out->item;
	runtime__v1__pod_sandbox__init(p);
	p->id = out->id;
	p->metadata = out->cfg->metadata;
	p->state = pod_is_ready(session) ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
					 : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
	p->created_at = pod_created_ns(session);
	p->n_labels = out->cfg->n_labels, p->labels = (void *)out->cfg->labels;
	p->n_annotations = out->cfg->n_annotations, p->annotations = (void *)out->cfg->annotations;
	p->runtime_handler = out->handler;
	return 0;
}

void pod_item_release(cri_pod_item *p)
{
	if (p->cfg)
		protobuf_c_message_free_unpacked(&p->cfg->base, NULL);
	free(p->handler);
	*p = (cri_pod_item){ 0 };
}

int ctr_item_of(yajl_val ct, cri_ctr_item *out)
{
	*out = (cri_ctr_item){ 0 };
	const char *id = json_str(ct, "id"), *pod = json_str(json_get(ct, "labels"), META_CTR_POD);
	if (!id || !pod || strlen(id) >= sizeof(out->id) || strlen(pod) >= sizeof(out->pod) ||
	    !(out->cfg = ctr_config_of(ct)))
		return -1;
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->pod, sizeof(out->pod), "%s", pod);
	ctr_image_id(ct, out->ref, sizeof(out->ref));
	Runtime__V1__Container *x = &out->item;
	runtime__v1__container__init(x);
	x->id = out->id;
	x->pod_sandbox_id = out->pod;
	x->metadata = out->cfg->metadata;
	x->image = out->cfg->image;
	x->image_ref = x->image_id = out->ref;
	x->state = ctr_state_of(ct);
	x->created_at = meta_time_ns(json_str(ct, "created"));
	x->n_labels = out->cfg->n_labels, x->labels = (void *)out->cfg->labels;
	x->n_annotations = out->cfg->n_annotations, x->annotations = (void *)out->cfg->annotations;
	return 0;
}

void ctr_item_release(cri_ctr_item *x)
{
	if (x->cfg)
		protobuf_c_message_free_unpacked(&x->cfg->base, NULL);
	*x = (cri_ctr_item){ 0 };
}

static bool has_prefix(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* A response's message, packed into out (reset first): 0, or -1 out of memory */
static int pack(const ProtobufCMessage *m, strbuf *out)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	sb_reset(out);
	if (sb_grow(out, len) < 0)
		return -1;
	out->len = protobuf_c_message_pack(m, (uint8_t *)out->buf);
	return 0;
}

bool pod_filter_empty(const Runtime__V1__PodSandboxFilter *f)
{
	return !f || (!*f->id && !f->state && !f->n_label_selector);
}

bool ctr_filter_empty(const Runtime__V1__ContainerFilter *f)
{
	return !f || (!*f->id && !*f->pod_sandbox_id && !f->state && !f->n_label_selector);
}

int pod_items_pack(const Runtime__V1__PodSandboxFilter *f, cri_pod_item *const *items, size_t n, strbuf *out)
{
	_cleanup_free_ Runtime__V1__PodSandbox **ptrs = calloc(n + 1, sizeof(*ptrs));
	if (!ptrs)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const cri_pod_item *p = items[i];
		if (!p || (f && *f->id && !has_prefix(p->id, f->id)) || (f && f->state && f->state->state != p->item.state) ||
		    (f && !meta_labels_match((meta_kv *const *)p->cfg->labels, p->cfg->n_labels,
					     (meta_kv *const *)f->label_selector, f->n_label_selector)))
			continue;
		ptrs[k++] = (Runtime__V1__PodSandbox *)&p->item;
	}
	Runtime__V1__ListPodSandboxResponse r = RUNTIME__V1__LIST_POD_SANDBOX_RESPONSE__INIT;
	r.n_items = k, r.items = ptrs;
	return pack(&r.base, out);
}

int ctr_items_pack(const Runtime__V1__ContainerFilter *f, cri_ctr_item *const *items, size_t n, strbuf *out)
{
	_cleanup_free_ Runtime__V1__Container **ptrs = calloc(n + 1, sizeof(*ptrs));
	if (!ptrs)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const cri_ctr_item *x = items[i];
		if (!x || (f && *f->id && !has_prefix(x->id, f->id)) ||
		    (f && *f->pod_sandbox_id && !has_prefix(x->pod, f->pod_sandbox_id)) ||
		    (f && f->state && f->state->state != x->item.state) ||
		    (f && !meta_labels_match((meta_kv *const *)x->cfg->labels, x->cfg->n_labels,
					     (meta_kv *const *)f->label_selector, f->n_label_selector)))
			continue;
		ptrs[k++] = (Runtime__V1__Container *)&x->item;
	}
	Runtime__V1__ListContainersResponse r = RUNTIME__V1__LIST_CONTAINERS_RESPONSE__INIT;
	r.n_containers = k, r.containers = ptrs;
	return pack(&r.base, out);
}

void pod_items_answer(cri_call *c, const Runtime__V1__PodSandboxFilter *f, cri_pod_item *const *items, size_t n)
{
	_cleanup_strbuf_ strbuf b = STRBUF_INIT;
	if (pod_items_pack(f, items, n, &b) < 0)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	cri_reply_packed(c, b.buf, b.len);
}

void ctr_items_answer(cri_call *c, const Runtime__V1__ContainerFilter *f, cri_ctr_item *const *items, size_t n)
{
	_cleanup_strbuf_ strbuf b = STRBUF_INIT;
	if (ctr_items_pack(f, items, n, &b) < 0)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	cri_reply_packed(c, b.buf, b.len);
}
