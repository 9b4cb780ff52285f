/* io.corral.Supervisor: the method table corrald serves, and what every call
 * goes through on its way out (metrics, audit). The container methods are
 * in ctr_methods.c, ctr_create.c, ctr_start.c, ctr_exec.c, ctr_restart.c,
 * ctr_pause.c, ctr_top.c, ctr_port.c, ctr_rename.c, ctr_prune.c and
 * ctr_copy.c; the image methods in img_methods.c, img_remove.c and
 * img_prune.c. */
#pragma once
#include <stdint.h>
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/server.h"


extern const vl_interface corral_supervisor_iface;

/* vl_server_config hooks; userdata is the corrald. */
void corrald_on_call_done(const vl_call_info *info, void *userdata);
void corrald_on_refused(const peer_cred *peer, const char *why, void *userdata);
/* metrics_http render hook; data is the corrald. */
int corrald_render_metrics(strbuf *out, void *data);
/* Whether a method changes state (and so is audited). */
bool corrald_method_mutates(const char *method);
