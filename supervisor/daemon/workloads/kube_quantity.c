/* Kubernetes resource quantities ("128Mi", "500m", "1e6") into numbers. */
#include "supervisor/daemon/workloads/kube_quantity.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *suffix;
	long double factor;
} suffixes[] = {
	{ "Ki", 0x1p10L }, { "Mi", 0x1p20L }, { "Gi", 0x1p30L }, { "Ti", 0x1p40L }, { "Pi", 0x1p50L },
	{ "Ei", 0x1p60L }, { "n", 1e-9L }, { "u", 1e-6L }, { "m", 1e-3L }, { "", 1 }, { "k", 1e3L },
	{ "M", 1e6L }, { "G", 1e9L }, { "T", 1e12L }, { "P", 1e15L }, { "E", 1e18L },
};

/* "e12", "E-3": the exponent form */
static int exponent(const char *s, long double *factor)
{
	if (*s != 'e' && *s != 'E')
		return -EINVAL;
	s++;
	int sign = *s == '-' ? -1 : 1;
	if (*s == '-' || *s == '+')
		s++;
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 3 || s[n])
		return -EINVAL;
	long double f = 1;
	for (int i = atoi(s); i > 0; i--) /* at most 999: no libm for powl */
		f = sign > 0 ? f * 10 : f / 10;
	*factor = f;
	return 0;
}

int kube_quantity(const char *s, long double *out)
{
	if (!s || strlen(s) > 64)
		return -EINVAL;
	const char *p = s + (*s == '+');
	size_t whole = strspn(p, "0123456789"), frac = 0;
	if (p[whole] == '.')
		frac = strspn(p + whole + 1, "0123456789");
	if (whole + frac == 0)
		return -EINVAL;
	const char *suffix = p + whole + (p[whole] == '.' ? 1 + frac : 0);
	long double factor = 0;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && !factor; i++)
		if (strcmp(suffix, suffixes[i].suffix) == 0)
			factor = suffixes[i].factor;
	if (!factor && exponent(suffix, &factor) < 0)
		return -EINVAL;
	char num[72]; /* the digits alone: strtold would read "1e6" itself */
	snprintf(num, sizeof(num), "%.*s", (int)(suffix - p), p);
	long double v = strtold(num, NULL) * factor;
	if (!isfinite(v) || v > 0x1p100L)
		return -ERANGE;
	*out = v;
	return 0;
}

static int whole_up(const char *s, long double scale, long long *out)
{
	long double v;
	int r = kube_quantity(s, &v);
	if (r < 0)
		return r;
	v = v * scale - 1e-9L; /* 0.1 * 1000 is 100.000...01 in binary */
	if (v > 0x1p62L)
		return -ERANGE;
	long long whole = v < 0 ? 0 : (long long)v;
	*out = whole + ((long double)whole < v); /* rounded up, as Kubernetes does */
	return 0;
}

int kube_memory_bytes(const char *s, long long *bytes)
{
	return whole_up(s, 1, bytes);
}

int kube_cpu_millis(const char *s, long long *millis)
{
	int r = whole_up(s, 1000, millis);
	return r == 0 && *millis > (1LL << 40) ? -ERANGE : r;
}
