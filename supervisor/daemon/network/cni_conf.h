/* cni_conf.c: What a CNI plugin is given: its config, its environment, its
 * binary. */
#pragma once
#include "supervisor/daemon/network/cni.h"

/* A conflist from text: cniVersion, name (NAME_MAX of [A-Za-z0-9_.-]) and
 * 1..CNI_MAX_PLUGINS plugins, each an object with a type. */
int cni_conflist_parse(const char *text, const char *what, yajl_val *out, cerr *err);
const char *cni_list_name(yajl_val list);
yajl_val cni_list_plugin(yajl_val list, size_t i);
size_t cni_list_len(yajl_val list);
const char *cni_plugin_type(yajl_val plugin);
/* The stdin of list's plugin i: its object, with the list's name and
 * cniVersion, prevResult (NULL: none) and runtimeConfig holding the
 * capabilities it asks for (portMappings). */
char *cni_plugin_conf(yajl_val list, size_t i, yajl_val prev, const cni_args *a, size_t *len, cerr *err);
/* The environment of a plugin run: CNI_COMMAND and the rest, with PATH
 * (portmap_env_path when it is set: the caller sets it for portmap only). */
int cni_env(const char *command, const cni_args *a, char ***out);
/* The plugin binary type in a ':'-separated path list. */
int cni_find_plugin(const char *path_list, const char *type, char *out, size_t n, cerr *err);
