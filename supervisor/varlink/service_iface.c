/* org.varlink.service, which every varlink server implements: what the
 * service is, and the text of each interface it serves.
 * A pair with call.c: it finds this interface for a call, and these
 * methods answer through it, as any method does. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/call.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <string.h>

static int svc_get_info(vl_call *call, yajl_val params, void *ud)
{
	vl_server *s = call->conn->srv;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return vl_call_error(call, VL_ERR_INVALID_PARAMETER, NULL);
	int r = yajl_gen_map_open(g) || jg_key_str(g, "vendor", s->cfg.vendor) ||
		jg_key_str(g, "product", s->cfg.product) || jg_key_str(g, "version", s->cfg.version) ||
		jg_key_str(g, "url", s->cfg.url) || jg_key(g, "interfaces") || yajl_gen_array_open(g) ||
		jg_str(g, "org.varlink.service");
	for (size_t i = 0; !r && i < s->n_ifaces; i++)
		r = jg_str(g, s->ifaces[i]->name);
	r = r || yajl_gen_array_close(g) || yajl_gen_map_close(g);
	return vl_call_reply_gen(call, g);
}

static const char service_description[] =
	"# The Varlink Service Interface is provided by every varlink service. It\n"
	"# describes the service and the interfaces it implements.\n"
	"interface org.varlink.service\n\n"
	"# Get a list of all the interfaces a service provides and information\n"
	"# about the implementation.\n"
	"method GetInfo() -> (\n  vendor: string,\n  product: string,\n  version: string,\n"
	"  url: string,\n  interfaces: []string\n)\n\n"
	"# Get the description of an interface that is implemented by this service.\n"
	"method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
	"# The requested interface was not found.\n"
	"error InterfaceNotFound (interface: string)\n\n"
	"# The requested method was not found\n"
	"error MethodNotFound (method: string)\n\n"
	"# The interface defines the requested method, but the service does not\n"
	"# implement it.\n"
	"error MethodNotImplemented (method: string)\n\n"
	"# One of the passed parameters is invalid.\n"
	"error InvalidParameter (parameter: string)\n\n"
	"# Client is denied access\n"
	"error PermissionDenied ()\n\n"
	"# Method is expected to be called with 'more' set to true, but wasn't\n"
	"error ExpectedMore ()\n";

static int svc_get_description(vl_call *call, yajl_val params, void *ud)
{
	vl_server *s = call->conn->srv;
	yajl_val v = json_get(params, "interface");
	if (!YAJL_IS_STRING(v))
		return vl_call_invalid_parameter(call, "interface");
	const char *desc = NULL;
	if (streq(v->u.string, "org.varlink.service"))
		desc = service_description;
	for (size_t i = 0; !desc && i < s->n_ifaces; i++)
		if (streq(s->ifaces[i]->name, v->u.string))
			desc = s->ifaces[i]->description;
	if (!desc) {
		_cleanup_free_ char *p = vl_json_obj1("interface", v->u.string);
		return vl_call_error(call, VL_ERR_INTERFACE_NOT_FOUND, p);
	}
	_cleanup_free_ char *p = vl_json_obj1("description", desc);
	if (!p) {
		vl_call_hang_up(call, "out of memory");
		return -ENOMEM;
	}
	return vl_call_reply(call, p);
}

static const vl_method service_methods[] = {
	{ "GetInfo", svc_get_info },
	{ "GetInterfaceDescription", svc_get_description },
};

const vl_interface vl_service_iface = {
	"org.varlink.service", service_description, service_methods, ARRAY_SIZE(service_methods),
};
