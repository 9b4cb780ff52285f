/* cni_result.c: What a CNI plugin says back: a result, a VERSION reply, or an
 * error. */
#pragma once
#include "supervisor/daemon/network/cni.h"

/* A plugin that failed (exit code nonzero): its error, as one line that
 * names it, the code and the message. */
int cni_plugin_error(const char *type, int exit_code, const strbuf *out, const strbuf *errout, cerr *err);
/* An ADD result: a JSON object with cniVersion, interfaces and ips checked
 * (each ip's address a CIDR, its interface an index into interfaces). */
int cni_result_parse(const char *text, const char *type, yajl_val *out, cerr *err);
/* The container's interface in a result: its name, MAC, first IP, gateway. */
void cni_result_summary(yajl_val result, cni_summary *s);
/* A VERSION reply: does the plugin speak version? */
int cni_version_check(const char *text, const char *type, const char *version, cerr *err);
