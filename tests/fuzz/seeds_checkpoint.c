/* Seed corpus for fuzz_checkpoint: checkpoint manifests as ckpt_export
 * writes them (criu's image files, the rootfs diff, the container's head
 * with its spec), and descriptors.json as runc and corral write it (pipes,
 * /dev/null, a pty, external files). Usage: seeds_checkpoint DIR */
#include <stdio.h>
#include <string.h>
#include "fuzz_seeds.h"

#define DG(c) "\"sha256:" c "3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
#define SPEC "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\",\"-c\",\"while :; do sleep 1; done\"]," \
	     "\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"env\":[\"PATH=/usr/bin:/bin\"]},\"root\":{\"path\":\"rootfs\"}," \
	     "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\"}]}}"

static const char *const seeds[] = {
	"{\"corralCheckpoint\":1,\"container\":{\"owner\":4242,\"name\":\"web\",\"image\":\"localhost/web:1\","
	"\"spec\":" SPEC "},\"entries\":["
	"{\"path\":\"checkpoint/core-1.img\",\"size\":1824,\"digest\":" DG("e") "},"
	"{\"path\":\"checkpoint/descriptors.json\",\"size\":54,\"digest\":" DG("f") "},"
	"{\"path\":\"checkpoint/inventory.img\",\"size\":40,\"digest\":" DG("a") "},"
	"{\"path\":\"checkpoint/mm-1.img\",\"size\":4096,\"digest\":" DG("b") "},"
	"{\"path\":\"checkpoint/pages-1.img\",\"size\":1048576,\"digest\":" DG("c") "},"
	"{\"path\":\"checkpoint/pstree.img\",\"size\":32,\"digest\":" DG("d") "},"
	"{\"path\":\"rootfs-diff.tar\",\"size\":10240,\"digest\":" DG("0") "}]}",
	"{\"corralCheckpoint\":1,\"container\":{\"owner\":0,\"name\":\"db\",\"spec\":" SPEC "},\"entries\":["
	"{\"path\":\"checkpoint/terminal.id\",\"size\":17,\"digest\":" DG("1") "}]}",
	"{\"corralCheckpoint\":1,\"container\":{\"owner\":4343},\"entries\":[]}",
	"{\"corralCheckpoint\":2,\"container\":{\"owner\":0},\"entries\":[]}",
	"{\"corralCheckpoint\":1,\"container\":{\"owner\":0},\"entries\":[{\"path\":\"checkpoint/../../etc/shadow\","
	"\"size\":1,\"digest\":" DG("2") "},{\"path\":\"checkpoint/a\",\"size\":-1,\"digest\":\"sha256:0\"}]}",
	"{\"corralCheckpoint\":1,\"container\":{\"owner\":0},\"entries\":[{\"path\":\"rootfs-diff.tar\",\"size\":1,"
	"\"digest\":" DG("3") "},{\"path\":\"rootfs-diff.tar\",\"size\":18446744073709551615,\"digest\":" DG("3") "}]}",
	/* descriptors.json */
	"[\"/dev/null\",\"pipe:[40583]\",\"pipe:[40584]\"]",
	"[\"/dev/pts/0\",\"/dev/pts/0\",\"/dev/pts/0\"]",
	"[\"pipe:[1]\",\"file[2e:1a2b3c]\",\"file[2e:1a2b3c]\"]",
	"[\"socket:[12345]\",\"anon_inode:[eventfd]\",\"/var/log/app.log\",\"pipe:[9]\"]",
	"[\"pipe:[7]x]\",\"file[1:2]]\",\"pipe:[-1]\",null]",
};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return seeds_put(argv[1], seeds, sizeof(seeds) / sizeof(seeds[0]), "ckpt", ".json") < 0;
}
