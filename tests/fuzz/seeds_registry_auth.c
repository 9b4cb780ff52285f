/* Seed corpus for fuzz_registry_auth: WWW-Authenticate challenges as Docker
 * Hub, distribution's registry (token and htpasswd auth), ghcr.io and
 * quay.io send them, and token servers' answers with token, access_token,
 * expires_in and issued_at. Usage: seeds_registry_auth DIR */
#include <stdio.h>
#include <string.h>
#include "fuzz_seeds.h"

#define JWT "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsIng1YyI6WyJNSUlDK2pDQ0FwK2dBd0lCQWdJQkFEQUtCZ2dxaGtqT1BRUURB" \
	    "Il19.eyJhY2Nlc3MiOlt7InR5cGUiOiJyZXBvc2l0b3J5IiwibmFtZSI6ImxpYnJhcnkvYnVzeWJveCIsImFjdGlvbnMiOlsicHVs" \
	    "bCJdfV0sImF1ZCI6InJlZ2lzdHJ5LmRvY2tlci5pbyIsImV4cCI6MTcwNDA2NzUwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtXzEyMy0"

static const char *const seeds[] = {
	/* challenges */
	"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	"scope=\"repository:library/busybox:pull\"",
	"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"",
	"Bearer realm=\"https://127.0.0.1:5001/auth\",service=\"Docker registry\","
	"scope=\"repository:t/busybox:pull,push\",error=\"insufficient_scope\"",
	"Bearer realm=\"https://127.0.0.1:5001/auth\",service=\"Docker registry\",error=\"invalid_token\"",
	"Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:user/image:pull\"",
	"Bearer realm=\"https://quay.io/v2/auth\",service=\"quay.io\"",
	"Bearer realm=\"https://gcr.io/v2/token\",service=\"gcr.io\",scope=\"repository:distroless/static:pull "
	"repository:distroless/base:pull\"",
	"bearer realm=https://r.example/token,service=r.example,scope=registry:catalog:*",
	"Bearer service=\"x\", realm=\"http://127.0.0.1:5800/token?a=b\" , scope=\"\"",
	"Basic realm=\"Registry Realm\"",
	"Basic realm=\"basic-realm\", charset=\"UTF-8\"",
	"Basic",
	"Negotiate",
	/* token answers */
	"{\"token\":\"" JWT "\",\"access_token\":\"" JWT "\",\"expires_in\":300,"
	"\"issued_at\":\"2024-01-01T00:00:00.123456789Z\"}",
	"{\"access_token\":\"" JWT "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
	"\"refresh_token\":\"kas9Da81Dfa8\",\"scope\":\"repository:t/busybox:pull\",\"issued_at\":\"2024-05-06T07:08:09Z\"}",
	"{\"token\":\"djE6dXNlci9pbWFnZToxNzA0MDY3NTAwMTIzNDU2Nzg5\"}",
	"{\"token\":\"\",\"access_token\":\"only-this\",\"expires_in\":0}",
	"{\"token\":\"a\\r\\nX-Injected: 1\",\"expires_in\":60}",
	"{\"token\":\"t\",\"expires_in\":604801}",
	"{\"token\":\"t\",\"expires_in\":-5,\"issued_at\":12}",
	"{\"token\":\"t\",\"expires_in\":1.5e3}",
	"{\"token\":\"t\",\"expires_in\":\"300\"}",
	"{\"token\":\"\\u0000\"}",
	"{\"token\":[\"t\"]}",
	"[\"token\"]",
};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return seeds_put(argv[1], seeds, sizeof(seeds) / sizeof(seeds[0]), "auth", "") < 0;
}
