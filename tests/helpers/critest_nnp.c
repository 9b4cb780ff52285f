/* A stand-in for critest's nonewprivs image (test_cri_critest.sh):
 * installed set-user-ID root, it says which effective uid it runs with. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("Effective uid: %d\n", (int)geteuid());
	return 0;
}
