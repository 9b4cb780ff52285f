/* Kubernetes resource quantities: a decimal number and a suffix, binary
 * (Ki Mi Gi Ti Pi Ei), decimal (n u m k M G T P E) or an exponent (e3, E-2):
 * "128Mi", "1G", "1e6", "500m", "0.5". Memory to bytes, cpu to millicores,
 * each rounded up as Kubernetes rounds them. */
#pragma once
#include <stdbool.h>

/* -EINVAL when s is not a quantity, -ERANGE when it is too big. */
int kube_quantity(const char *s, long double *out);
/* Whole bytes (rounded up); -ERANGE past 2^62. */
int kube_memory_bytes(const char *s, long long *bytes);
/* Millicores (rounded up); -ERANGE past 2^40. */
int kube_cpu_millis(const char *s, long long *millis);
