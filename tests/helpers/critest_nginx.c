/* A stand-in for the nginx of critest's e2e image, which cannot be pulled
 * here (test_cri_critest.sh): a process named nginx whose cmdline says
 * "master process", as nginx's retitled argv does, that writes
 * /var/run/nginx.pid and waits. */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static const char title[] = "nginx: master process nginx -g daemon off;";

int main(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], title)) {
		char *const again[] = { (char *)title, NULL };
		execv("/proc/self/exe", again);
		return 127;
	}
	prctl(PR_SET_NAME, "nginx"); /* /proc/self/exe named it exe */
	FILE *f = fopen("/var/run/nginx.pid", "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
		return 1;
	for (;;)
		pause();
}
