/* netconf_json.c: A network's conflist, written and read back. */
#pragma once
#include "supervisor/daemon/network/netconf.h"

/* The conflist's JSON text; host-local keeps its leases in data_dir (NULL:
 * the plugin's own default). */
int netconf_render(const netconf *nc, const char *data_dir, strbuf *out);
/* What a conflist says (one that corral wrote, or one alike). */
int netconf_parse(const char *text, netconf *out, cerr *err);
