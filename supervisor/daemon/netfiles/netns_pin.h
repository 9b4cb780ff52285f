/* A container's network namespace held by a bind mount of its nsfs file,
 * <state>/networks/netns/<id>, from ADD until its DEL is over: CNI's DEL
 * needs the namespace (the bridge plugin undoes its masquerade rules only
 * with it), and the container may have ended long before. The mount is in
 * corrald's mount namespace, so it outlives a corrald restart. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

/* Bind /proc/pid/ns/KIND on path, a file made for it (none may be there):
 * 0, or -1 with err and nothing left */
int ns_bind(const char *path, pid_t pid, const char *kind, cerr *err);
/* 1 when path is a namespace (an nsfs file, bound there); 0 when it is
 * not there, or a plain file (a crash between making the file and binding
 * it, or between unmounting and removing it, leaves one); -errno when it
 * could not be told (no fd to open it with) */
int ns_bound(const char *path);
/* Pin /proc/pid/ns/net at path (made, or reused when a stale one is there). */
int netns_pin(const char *path, pid_t pid, cerr *err);
/* Unmount and remove it; nothing there is fine. -EBUSY: a mount outside
 * path's own keeps it, for now (netns_unpin_later tries again). */
int netns_unpin(const char *path);
