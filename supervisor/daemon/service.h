/* io.corral.Supervisor: the method table corrald serves, and what every call
 * goes through on its way out (metrics, audit). The container methods are
 * in containers/methods/ (ctr_methods.h), the image methods in images/,
 * CopyFrom and CopyTo in copy/, and each feature's in its own room. Only service.c and main_corrald.c include this header. */
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
