/* A SysV message queue by key, for the session tests (busybox has no
 * ipcmk): "sysvq make KEY" creates it, "sysvq has KEY" exits 0 when this
 * IPC namespace has it. Static: it runs inside containers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "make") && strcmp(argv[1], "has"))) {
		fprintf(stderr, "usage: sysvq make|has KEY\n");
		return 2;
	}
	key_t key = (key_t)strtol(argv[2], NULL, 0);
	int id = msgget(key, strcmp(argv[1], "make") ? 0 : IPC_CREAT | 0600);
	if (id < 0) {
		perror("msgget");
		return 1;
	}
	printf("%d\n", id);
	return 0;
}
