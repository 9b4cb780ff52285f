/* Seed corpus for fuzz_image_ref: references as users, engines and
 * registries write them (ports, digests, tags, long names, docker.io's
 * forms), and "NAME\nREF" pairs of a stored name and what finds it.
 * Usage: seeds_image_ref DIR */
#include <stdio.h>
#include <string.h>

#include "images/registry/reference.h"
#include "fuzz_seeds.h"

#define D64 "4a5e36f1c8f95e0ab9bba6ef2d6c5b7a1f0b3c2d9e8f7a6b5c4d3e2f1a0b9c8d"

static int put(const char *dir, size_t i, const char *text)
{
	char name[32];
	snprintf(name, sizeof(name), "ref%zu", i);
	return seed_put(dir, name, text, strlen(text)) < 0;
}

static const char *const seeds[] = {
	"busybox",
	"busybox:1.36",
	"library/busybox:latest",
	"docker.io/busybox",
	"docker.io/library/alpine:3.19",
	"index.docker.io/library/debian:bookworm-slim",
	"registry-1.docker.io/library/nginx:1.25.3-alpine",
	"quay.io/podman/stable:v4.9",
	"ghcr.io/opencontainers/distribution-spec/conformance:v1.1.0",
	"gcr.io/distroless/static-debian12:nonroot",
	"registry.k8s.io/pause:3.9",
	"localhost/mine:dev",
	"localhost:5000/team/app:1.0",
	"127.0.0.1:5800/t/good:latest",
	"[::1]:5000/x",
	"my-registry.example.com:443/a/b/c/d/e:tag_with.dots-and-dashes",
	"example.com/a__b/c.d/e--f:v",
	"alpine@sha256:" D64,
	"docker.io/library/alpine:3.19@sha256:" D64,
	"localhost:5000/app@sha256:" D64,
	"sha256:" D64,
	D64,
	"example.com/" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	"/cccccccccccccccccccccccccccccccccccccccccc:t",
	"Upper/case",
	"-option/shaped",
	"https://index.docker.io/v1/",
	"docker.io/library/busybox:latest\nbusybox",
	"localhost/mine:dev\nmine:dev",
	"quay.io/podman/stable:v4.9\nquay.io/podman/*",
	"quay.io/podman/stable:v4.9\nstable:v4.*",
	"docker.io/library/busybox:latest\ndocker.io/busybox",
	"~4242/localhost/app:1\napp:1",
};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int rc = 0;
	size_t n = sizeof(seeds) / sizeof(seeds[0]);
	for (size_t i = 0; i < n; i++)
		rc |= put(argv[1], i, seeds[i]);
	/* the longest reference: a name of REF_NAME_MAX, a tag of REF_TAG_MAX
	 * and a digest; and one past each bound */
	char name[REF_NAME_MAX + 2], tag[REF_TAG_MAX + 2], ref[1024];
	memset(name, 'a', sizeof(name) - 1);
	memcpy(name, "example.com/", 12);
	for (size_t i = 40; i < sizeof(name) - 1; i += 40)
		name[i] = '/';
	memset(tag, '9', sizeof(tag) - 1);
	tag[0] = '_';
	for (int over = 0; over < 2; over++) {
		name[REF_NAME_MAX + over] = tag[REF_TAG_MAX + over] = '\0';
		snprintf(ref, sizeof(ref), "%s:%s@sha256:" D64, name, tag);
		rc |= put(argv[1], n++, ref);
		snprintf(ref, sizeof(ref), "%s:%s", name + 12, tag);
		rc |= put(argv[1], n++, ref);
		name[REF_NAME_MAX + over] = 'a';
		tag[REF_TAG_MAX + over] = '9';
	}
	return rc;
}
