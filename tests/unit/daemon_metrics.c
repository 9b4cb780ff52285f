/* supervisor/daemon/metrics.c: the Prometheus text corrald serves, and its bound on methods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "supervisor/daemon/core/metrics.h"

static void test_metrics_render(void **state)
{
	metrics *m = metrics_new();
	metrics_rpc(m, "io.corral.Supervisor.Ping", NULL, 50);       /* 50 us */
	metrics_rpc(m, "io.corral.Supervisor.Ping", NULL, 2000);     /* 2 ms */
	metrics_rpc(m, "io.corral.Supervisor.Ping", "x.Y", 20000000); /* 20 s */
	metrics_rpc(m, "evil\"\n\\", NULL, 1);
	metrics_set_containers(m, "running", 3);
	metrics_add_restarts(m, 2);
	metrics_add_oom_kills(m, 1);
	metrics_set_store_bytes(m, 12345);
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(metrics_render(m, &sb), 0);
	const char *want[] = {
		"# TYPE corral_containers gauge\n",
		"corral_containers{state=\"running\"} 3\n",
		"corral_containers{state=\"exited\"} 0\n",
		"corral_container_restarts_total 2\n",
		"corral_container_oom_kills_total 1\n",
		"corral_store_bytes 12345\n",
		"corral_rpc_requests_total{method=\"io.corral.Supervisor.Ping\",result=\"ok\"} 2\n",
		"corral_rpc_requests_total{method=\"io.corral.Supervisor.Ping\",result=\"error\"} 1\n",
		"# TYPE corral_rpc_duration_seconds histogram\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"0.0001\"} 1\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"0.0025\"} 2\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"10\"} 2\n",
		"corral_rpc_duration_seconds_bucket{method=\"io.corral.Supervisor.Ping\",le=\"+Inf\"} 3\n",
		"corral_rpc_duration_seconds_count{method=\"io.corral.Supervisor.Ping\"} 3\n",
		"method=\"evil\\\"\\n\\\\\"",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(sb.buf, want[i]))
			fail_msg("metrics lack [%s]", want[i]);
	metrics_free(m);
}

static void test_metrics_method_cap(void **state)
{
	metrics *m = metrics_new();
	for (int i = 0; i < 200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "m%d", i);
		metrics_rpc(m, name, NULL, 1);
	}
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(metrics_render(m, &sb), 0);
	assert_non_null(strstr(sb.buf, "{method=\"other\",result=\"ok\"} 136\n"));
	assert_null(strstr(sb.buf, "\"m64\""));
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_render),
		cmocka_unit_test(test_metrics_method_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
