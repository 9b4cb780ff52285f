/* The parsed form of linux.resources, shared by parse, apply and the device
 * filter. Every field carries a "set" flag: unset values are never written. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_MAX_ENTRIES 256 /* bound on every array in linux.resources */

struct cg_opt64 {
	bool set;
	int64_t v;
};

struct cg_weight_dev {
	int64_t major, minor;
	struct cg_opt64 weight;
};

enum cg_throttle { CG_RBPS, CG_WBPS, CG_RIOPS, CG_WIOPS, CG_THROTTLE_N };

struct cg_throttle_dev {
	int64_t major, minor;
	enum cg_throttle kind;
	uint64_t rate;
};

struct cg_hugepage {
	char *size; /* "2MB", "1GB" */
	uint64_t limit;
};

struct cg_kv {
	char *key;
	char *val;
};

/* One device rule; major/minor -1 is the wildcard. */
struct cg_dev_rule {
	bool allow;
	char type;   /* 'a', 'b' or 'c' */
	int64_t major, minor;
	unsigned access; /* CG_DEV_* bits */
};
#define CG_DEV_MKNOD 1u
#define CG_DEV_READ 2u
#define CG_DEV_WRITE 4u

struct cg_resources {
	/* memory */
	struct cg_opt64 mem_limit, mem_reservation, mem_swap;
	/* cpu */
	struct cg_opt64 cpu_shares, cpu_quota, cpu_period, cpu_burst, cpu_idle;
	char *cpus, *mems;
	/* pids */
	struct cg_opt64 pids_limit;
	/* blockIO */
	struct cg_opt64 blkio_weight;
	struct cg_weight_dev *weight_devs;
	size_t n_weight_devs;
	struct cg_throttle_dev *throttle;
	size_t n_throttle;
	/* hugepageLimits */
	struct cg_hugepage *hugepages;
	size_t n_hugepages;
	/* rdma: device -> "hca_handle=N hca_object=M" */
	struct cg_kv *rdma;
	size_t n_rdma;
	/* unified, in the config's order */
	struct cg_kv *unified;
	size_t n_unified;
	/* devices: present means "install a device filter" */
	bool has_devices;
	struct cg_dev_rule *devices;
	size_t n_devices;
};

/* cgroup v1's default cpu.shares, which ctr asks for on every container:
 * not refused on a hierarchy without the cpu controller (which weighs
 * nothing at all), and then not written. */
#define CG_DEFAULT_SHARES 1024

/* runc/crun's linear conversions (Debian's runc 1.1 and crun 1.8). */
static inline uint64_t cg_shares_to_weight(uint64_t shares)
{
	return 1 + ((shares - 2) * 9999) / 262142;
}
static inline uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	return 1 + ((w - 10) * 9999) / 990;
}
