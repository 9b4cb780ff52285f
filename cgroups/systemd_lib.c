#include "systemd_lib.h"
#include "systemd.h"
#include "cgroups/systemd_lib.h"
#include "common/cleanup.h"
#include "common/dlib.h"

static struct sd_lib table;

#define SYM(f, name) DLIB_SYM(struct sd_lib, f, name)
static const struct dlib_sym syms[] = {
	SYM(bus_new, "sd_bus_new"),
	SYM(bus_set_address, "sd_bus_set_address"),
	SYM(bus_start, "sd_bus_start"),
	SYM(bus_open_system, "sd_bus_open_system"),
	SYM(bus_open_user, "sd_bus_open_user"),
	SYM(bus_flush_close_unref, "sd_bus_flush_close_unref"),
	SYM(new_method_call, "sd_bus_message_new_method_call"),
	SYM(append, "sd_bus_message_append"),
	SYM(append_array, "sd_bus_message_append_array"),
	SYM(open_container, "sd_bus_message_open_container"),
	SYM(close_container, "sd_bus_message_close_container"),
	SYM(read, "sd_bus_message_read"),
	SYM(message_unref, "sd_bus_message_unref"),
	SYM(call, "sd_bus_call"),
	SYM(call_method, "sd_bus_call_method"),
	SYM(match_signal, "sd_bus_match_signal"),
	SYM(slot_unref, "sd_bus_slot_unref"),
	SYM(process, "sd_bus_process"),
	SYM(wait, "sd_bus_wait"),
	SYM(error_free, "sd_bus_error_free"),
	SYM(error_has_name, "sd_bus_error_has_name"),
};
#undef SYM

static struct dlib lib = DLIB_INIT("libsystemd.so.0", syms, &table);

const struct sd_lib *sd_lib(cerr *err)
{
	return dlib_get(&lib, err);
}

bool cg_systemd_available(void)
{
	return sd_lib(NULL) != NULL;
}
