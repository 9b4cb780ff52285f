/* Seed corpus for fuzz_ctr_spec: ContainerSpecs as corralctl, the Docker
 * API and the CRI send them, one that sets nearly every field, and a
 * session's container. Usage: seeds_ctr_spec DIR */
#include <stdio.h>
#include "fuzz_seeds.h"

static const char *const seeds[] = {
	"{\"image\":\"busybox\"}",
	("{\"image\":\"busybox\",\"name\":\"web-1\",\"command\":[\"sh\",\"-c\",\"true\"],\"entrypoint\":[\"/init\"],"
	 "\"env\":[\"A=1\",\"B=\"],\"workdir\":\"/srv\",\"user\":\"1000:1000\",\"groups\":[\"5\"],"
	 "\"mounts\":[{\"source\":\"/data\",\"destination\":\"/data\",\"readonly\":true,\"propagation\":\"rslave\"},"
	 "{\"type\":\"volume\",\"source\":\"v\",\"destination\":\"/v\"}],\"tmpfs\":[\"/run:size=64m,mode=1777\"],"
	 "\"resources\":{\"memory\":67108864,\"cpus\":1.5,\"pids\":100},\"restart\":\"on-failure:3\","
	 "\"network\":\"loopback\",\"ports\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"udp\"}],"
	 "\"labels\":{\"app\":\"web\"},\"tty\":true,\"interactive\":true,\"stdinOnce\":true,\"stopSignal\":\"SIGQUIT\","
	 "\"stopTimeout\":30,\"capAdd\":[\"NET_ADMIN\"],\"capDrop\":[\"ALL\"],\"hostname\":\"h\",\"readOnly\":true,"
	 "\"init\":true,\"dns\":[\"10.0.0.1\"],\"dnsSearch\":[\"x\"],\"dnsOptions\":[\"ndots:5\"],"
	 "\"extraHosts\":[\"a:10.0.0.2\"],\"healthcheck\":{\"test\":[\"CMD\",\"true\"],\"interval\":1000000000,"
	 "\"retries\":3},\"sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"noNewPrivileges\":true,"
	 "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],\"seccompProfile\":\"unconfined\","
	 "\"devices\":[{\"path\":\"/dev/fuse\"}],\"pidNamespace\":\"host\",\"ipcNamespace\":\"private\","
	 "\"userns\":\"auto\",\"secrets\":[{\"name\":\"s\",\"target\":\"/run/secrets/s\"}]}"),
	"{\"image\":\"i\",\"session\":\"s\",\"cgroupParent\":\"/kubepods\",\"logPath\":\"/var/log/pods/x/0.log\"}",
};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return seeds_put(argv[1], seeds, sizeof(seeds) / sizeof(seeds[0]), "seed", ".json") < 0;
}
