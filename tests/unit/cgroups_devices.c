/* The eBPF device filter, checked by running the generated program in a
 * small interpreter of the instructions it uses. */
#include "cgroups_fake.h"
#include "cgroups/devices.h"
#include "cgroups/devices_bpf.h"

#include <errno.h>

/* Run prog on (type, access, major, minor) as the kernel would. */
static int run(const struct bpf_insn *p, size_t n, char type, unsigned access, uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = { (access << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR), major, minor };
	uint64_t r[11] = { 0 };
	bool is_ctx[11] = { [BPF_REG_1] = true }; /* which registers hold the context */
	size_t pc = 0;
	for (int steps = 0; steps < 10000; steps++) {
		assert_true(pc < n);
		const struct bpf_insn *i = &p[pc++];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_true(is_ctx[i->src_reg]); /* ctx loads only */
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			r[i->dst_reg] = ctx[i->off / 4];
			is_ctx[i->dst_reg] = false;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K: r[i->dst_reg] &= (uint64_t)(int64_t)i->imm; break;
		case BPF_ALU64 | BPF_RSH | BPF_K: r[i->dst_reg] >>= i->imm; break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			is_ctx[i->dst_reg] = false;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			is_ctx[i->dst_reg] = is_ctx[i->src_reg];
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
			if ((uint32_t)r[i->dst_reg] != (uint32_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP32 | BPF_JEQ | BPF_K:
			if ((uint32_t)r[i->dst_reg] == (uint32_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JA: pc += (size_t)i->off; break;
		case BPF_JMP | BPF_EXIT: return (int)r[0];
		default: fail_msg("unexpected opcode 0x%x at %zu", i->code, pc - 1);
		}
	}
	fail_msg("program did not exit");
	return -1;
}

#define R CG_DEV_READ
#define W CG_DEV_WRITE
#define M CG_DEV_MKNOD

static void t_defaults(void **st)
{
	/* runc's spec: deny everything, then the default allow-list */
	struct cg_dev_rule rules[] = { { false, 'a', -1, -1, R | W | M } };
	struct bpf_insn *p;
	size_t n;
	assert_int_equal(cg_devices_program(rules, 1, true, &p, &n), 0);
	assert_true(run(p, n, 'c', R | W, 1, 3));   /* /dev/null */
	assert_true(run(p, n, 'c', R, 1, 9));       /* /dev/urandom */
	assert_true(run(p, n, 'c', R | W, 136, 7)); /* a pts */
	assert_true(run(p, n, 'c', R | W, 5, 2));   /* ptmx */
	assert_true(run(p, n, 'c', M, 8, 0));       /* mknod is allowed... */
	assert_false(run(p, n, 'b', R, 8, 0));      /* ...opening /dev/sda is not */
	assert_false(run(p, n, 'c', R | W, 1, 1));  /* /dev/mem */
	assert_false(run(p, n, 'c', R | W, 10, 229)); /* fuse */
	free(p);
}

static void t_last_match_wins(void **st)
{
	struct cg_dev_rule rules[] = {
		{ false, 'a', -1, -1, R | W | M },
		{ true, 'c', 10, 229, R | W },  /* fuse, read-write */
		{ true, 'b', 7, -1, R },        /* loop devices, read-only */
		{ false, 'c', 10, 229, W },     /* ...but no writing to fuse after all */
	};
	struct bpf_insn *p;
	size_t n;
	assert_int_equal(cg_devices_program(rules, 4, false, &p, &n), 0);
	assert_true(run(p, n, 'c', R, 10, 229));
	assert_false(run(p, n, 'c', R | W, 10, 229));
	assert_true(run(p, n, 'b', R, 7, 3));
	assert_false(run(p, n, 'b', R | W, 7, 3));
	assert_false(run(p, n, 'c', R, 7, 3)); /* type matters */
	assert_false(run(p, n, 'c', R, 1, 3)); /* no defaults asked for */
	free(p);
	/* access bits add up across rules */
	struct cg_dev_rule split[] = { { true, 'c', 10, 229, R }, { true, 'c', 10, 229, W } };
	assert_int_equal(cg_devices_program(split, 2, false, &p, &n), 0);
	assert_true(run(p, n, 'c', R | W, 10, 229));
	assert_false(run(p, n, 'c', R | W | M, 10, 229));
	free(p);
}

static void t_allow_all(void **st)
{
	struct cg_dev_rule rules[] = { { false, 'c', 1, 1, R | W | M }, { true, 'a', -1, -1, R | W | M } };
	struct bpf_insn *p;
	size_t n;
	assert_int_equal(cg_devices_program(rules, 2, false, &p, &n), 0);
	assert_true(run(p, n, 'c', R | W, 1, 1));
	assert_true(run(p, n, 'b', R | W | M, 259, 0));
	/* rules before a catch-all cannot match and are not emitted */
	assert_true(n <= 6 + 3 * (3 + 1 + 2) + 2);
	free(p);
	/* bits that meet the same rules share one pass: 17 instructions here,
	 * where a pass each took 45 */
	struct cg_dev_rule same[] = { { false, 'a', -1, -1, R | W | M }, { true, 'c', 1, 3, R | W | M } };
	assert_int_equal(cg_devices_program(same, 2, false, &p, &n), 0);
	assert_true(n < 20);
	assert_true(run(p, n, 'c', R | W | M, 1, 3));
	assert_true(run(p, n, 'c', W, 1, 3));
	assert_false(run(p, n, 'c', R, 1, 4));
	assert_false(run(p, n, 'b', M, 1, 3));
	free(p);
	/* a large major still compares exactly (32-bit jumps) */
	struct cg_dev_rule big[] = { { true, 'c', 4000000000LL, 1, R } };
	assert_int_equal(cg_devices_program(big, 1, false, &p, &n), 0);
	assert_true(run(p, n, 'c', R, 4000000000U, 1));
	assert_false(run(p, n, 'c', R, 4000000001U, 1));
	free(p);
}

static void t_from_config(void **st)
{
	struct cg_resources *r = parse_ok("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
					  "{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"r\"}]}");
	/* the parsed rules drive the same generator */
	const struct cg_dev_rule *rules;
	size_t nr;
	assert_int_equal(cg_resources_devices(r, &rules, &nr), 1);
	assert_int_equal(nr, 2);
	struct bpf_insn *p;
	size_t n;
	assert_int_equal(cg_devices_program(rules, nr, true, &p, &n), 0);
	assert_true(run(p, n, 'b', R, 8, 0));
	assert_false(run(p, n, 'b', W, 8, 0));
	assert_true(run(p, n, 'c', R | W, 1, 5)); /* /dev/zero, a default */
	free(p);
	/* the config's own list, with nothing added when with_defaults is false */
	assert_int_equal(cg_devices_program(rules, nr, false, &p, &n), 0);
	assert_false(run(p, n, 'c', R | W, 1, 5));
	free(p);
	cg_resources_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_defaults),
		cmocka_unit_test(t_last_match_wins),
		cmocka_unit_test(t_allow_all),
		cmocka_unit_test(t_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
