/* sd-bus, loaded from libsystemd.so.0 on first use: corral is linked
 * statically and Debian ships no static libsystemd, and the cgroupfs driver
 * must not pay for loading it. Memory that sd-bus hands out is freed only
 * by sd-bus (the loaded library has its own libc). */
#pragma once
#include "cgroups/systemd.h"
#include <systemd/sd-bus.h>
#include "common/error.h"

struct sd_lib {
	typeof(sd_bus_new) *bus_new;
	typeof(sd_bus_set_address) *bus_set_address;
	typeof(sd_bus_start) *bus_start;
	typeof(sd_bus_open_system) *bus_open_system;
	typeof(sd_bus_open_user) *bus_open_user;
	typeof(sd_bus_flush_close_unref) *bus_flush_close_unref;
	typeof(sd_bus_message_new_method_call) *new_method_call;
	typeof(sd_bus_message_append) *append;
	typeof(sd_bus_message_append_array) *append_array;
	typeof(sd_bus_message_open_container) *open_container;
	typeof(sd_bus_message_close_container) *close_container;
	typeof(sd_bus_message_read) *read;
	typeof(sd_bus_message_unref) *message_unref;
	typeof(sd_bus_call) *call;
	typeof(sd_bus_call_method) *call_method;
	typeof(sd_bus_match_signal) *match_signal;
	typeof(sd_bus_slot_unref) *slot_unref;
	typeof(sd_bus_process) *process;
	typeof(sd_bus_wait) *wait;
	typeof(sd_bus_error_free) *error_free;
	typeof(sd_bus_error_has_name) *error_has_name;
};

/* The table, or NULL with err saying why it cannot be loaded. */
const struct sd_lib *sd_lib(cerr *err);

/* Whether libsystemd.so.0 can be loaded (`corral features`). */
bool cg_systemd_available(void);
