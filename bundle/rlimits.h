/* The OCI's names of the process rlimits (process.rlimits[].type). */
#pragma once

/* The RLIMIT_* that type names ("RLIMIT_NOFILE"); -1: none. */
int oci_rlimit_resource(const char *type);
