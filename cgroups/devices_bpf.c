/* The device filter: cgroup v2 has no devices.allow file; the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead. */
#include "devices.h"
#include "cgroups/devices_bpf.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


const struct cg_dev_rule cg_default_devices[] = {
	{ true, 'c', -1, -1, CG_DEV_MKNOD }, /* mknod of anything; opening is what is checked */
	{ true, 'b', -1, -1, CG_DEV_MKNOD },
	{ true, 'c', 1, 3, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* null */
	{ true, 'c', 1, 8, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* random */
	{ true, 'c', 1, 7, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* full */
	{ true, 'c', 5, 0, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* tty */
	{ true, 'c', 1, 5, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* zero */
	{ true, 'c', 1, 9, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* urandom */
	{ true, 'c', 136, -1, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },  /* pts */
	{ true, 'c', 5, 2, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },     /* ptmx */
	{ true, 'c', 10, 200, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD },  /* tun */
};
const size_t cg_n_default_devices = ARRAY_SIZE(cg_default_devices);

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define JNE32(d, i, o) INSN(BPF_JMP32 | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static bool dev_wildcard(const struct cg_dev_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0;
}

static const struct cg_dev_rule *rule_at(const struct cg_dev_rule *rules, size_t n, size_t i)
{
	return i < n ? &rules[i] : &cg_default_devices[i - n];
}

/* Whether bits a and b meet the same rules, last first, up to a catch-all:
 * then one pass over them decides both. */
static bool same_rules(const struct cg_dev_rule *rules, size_t n, size_t total, unsigned a, unsigned b)
{
	for (size_t i = total; i-- > 0;) {
		const struct cg_dev_rule *r = rule_at(rules, n, i);
		if (!(r->access & a) != !(r->access & b))
			return false;
		if ((r->access & a) && dev_wildcard(r))
			return true;
	}
	return true;
}

/* Each access bit is decided on its own, as by the v1 devices controller:
 * for each bit requested, the last rule that names the device and that bit
 * allows or denies it; nothing matching denies. All bits allowed: allow.
 * So "allow rw" then "deny w" leaves "r", and "allow r" + "allow w" is "rw". */
int cg_devices_program(const struct cg_dev_rule *rules, size_t n, bool with_defaults,
		       struct bpf_insn **out, size_t *len)
{
	size_t total = n + (with_defaults ? cg_n_default_devices : 0);
	static const unsigned bits[] = { CG_DEV_MKNOD, CG_DEV_READ, CG_DEV_WRITE };
	/* 1 to keep the context, per bit 5 + 9 per rule + 2, 2 to end */
	size_t cap = 1 + ARRAY_SIZE(bits) * (5 + 9 * total + 2) + 2;
	struct bpf_insn *p = calloc(cap, sizeof(*p));
	size_t *fix = calloc(total + 1, sizeof(*fix));
	if (!p || !fix) {
		free(p);
		free(fix);
		return -ENOMEM;
	}
	size_t k = 0;
	p[k++] = MOV_REG(BPF_REG_6, BPF_REG_1); /* r6 = the context */
	unsigned done = 0;
	for (size_t b = 0; b < ARRAY_SIZE(bits); b++) {
		if (done & bits[b])
			continue;
		/* the bits that meet the same rules share one pass (read and
		 * write, in runc spec's rules and in most engines') */
		unsigned mask = bits[b];
		for (size_t c = b + 1; c < ARRAY_SIZE(bits); c++)
			if (same_rules(rules, n, total, bits[b], bits[c]))
				mask |= bits[c];
		done |= mask;
		size_t nfix = 0;
		bool caught = false;
		/* none of them requested: on to the next pass */
		p[k++] = LDX_W(BPF_REG_1, BPF_REG_6, 0);
		p[k++] = ALU_IMM(BPF_RSH, BPF_REG_1, 16);
		p[k++] = ALU_IMM(BPF_AND, BPF_REG_1, (int32_t)mask);
		fix[nfix++] = k;
		p[k++] = INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0);
		for (size_t i = total; i-- > 0;) {
			const struct cg_dev_rule *r = rule_at(rules, n, i);
			if (!(r->access & bits[b]))
				continue;
			/* each field loaded where it is compared, never kept: every
			 * path into a rule then reaches it in the same state, and the
			 * verifier checks each rule once (it walked the rules again
			 * for each value that an earlier one had matched: 1.2-1.6 ms
			 * a load of runc spec's rules, 0.4 ms now, with read and
			 * write in one pass) */
			size_t jumps[3], nj = 0;
			if (r->type != 'a') {
				p[k++] = LDX_W(BPF_REG_2, BPF_REG_6, 0);
				p[k++] = ALU_IMM(BPF_AND, BPF_REG_2, 0xffff);
				jumps[nj++] = k;
				p[k++] = JNE32(BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
			}
			if (r->major >= 0) {
				p[k++] = LDX_W(BPF_REG_2, BPF_REG_6, 4);
				jumps[nj++] = k;
				p[k++] = JNE32(BPF_REG_2, (int32_t)(uint32_t)r->major, 0);
			}
			if (r->minor >= 0) {
				p[k++] = LDX_W(BPF_REG_2, BPF_REG_6, 8);
				jumps[nj++] = k;
				p[k++] = JNE32(BPF_REG_2, (int32_t)(uint32_t)r->minor, 0);
			}
			if (r->allow) {
				fix[nfix++] = k;
				p[k++] = INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0);
			} else {
				p[k++] = ALU_IMM(BPF_MOV, BPF_REG_0, 0);
				p[k++] = EXIT();
			}
			for (size_t j = 0; j < nj; j++)
				p[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
			if ((caught = dev_wildcard(r)))
				break; /* nothing before a catch-all can match */
		}
		if (!caught) { /* no rule for this bit: deny (unreachable after a catch-all) */
			p[k++] = ALU_IMM(BPF_MOV, BPF_REG_0, 0);
			p[k++] = EXIT();
		}
		for (size_t j = 0; j < nfix; j++)
			p[fix[j]].off = (int16_t)(k - fix[j] - 1);
	}
	p[k++] = ALU_IMM(BPF_MOV, BPF_REG_0, 1);
	p[k++] = EXIT();
	free(fix);
	*out = p;
	*len = k;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Programs attached to this cgroup itself (not inherited ones). */
static int query_attached(int cgfd, uint32_t *ids, uint32_t *cnt)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = *cnt;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return -errno;
	*cnt = a.query.prog_cnt;
	return 0;
}

static void detach_id(int cgfd, uint32_t id)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	_cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	sys_bpf(BPF_PROG_DETACH, &a);
}

int cg_devices_apply(cg *c, const struct cg_dev_rule *rules, size_t n, cerr *err)
{
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t len;
	if (cg_devices_program(rules, n, true, &prog, &len) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)len;
	a.license = (uint64_t)(uintptr_t)"GPL";
	/* Without the verifier's log: a verbose log never fits in the buffer,
	 * and its verifier pass took as long as three silent ones. */
	_cleanup_close_ int pfd = sys_bpf(BPF_PROG_LOAD, &a);
	if (pfd < 0) {
		int e = errno;
		/* again for the verifier's first words on why */
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		int again = sys_bpf(BPF_PROG_LOAD, &a);
		if (again >= 0)
			close(again);
		log[strcspn(log, "\n")] = '\0';
		return cerr_sys(err, e, "linux.resources.devices: cgroup %s: load device filter%s%s", c->path,
				log[0] ? ": " : "", log);
	}
	uint32_t old[64], nold = ARRAY_SIZE(old);
	if (query_attached(c->dirfd, old, &nold) < 0)
		nold = 0;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)c->dirfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return cerr_sys(err, errno, "linux.resources.devices: cgroup %s: attach device filter", c->path);
	for (uint32_t i = 0; i < nold && i < ARRAY_SIZE(old); i++)
		detach_id(c->dirfd, old[i]);
	return 0;
}
