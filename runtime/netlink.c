/* rtnetlink over a plain netlink socket: loopback up, and linux.netDevices
 * moved into the container's network namespace and back. No `ip` binary,
 * and no library: the runtime links statically. */
#include "netlink.h"
#include "rootfs.h"
#include "runtime/rootfs_finish.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Append len zeroed bytes (aligned) to the message; returns where. */
static void *msg_put(struct nlmsghdr *nlh, size_t len)
{
	void *at = (char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);
	memset(at, 0, NLMSG_ALIGN(len));
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + (uint32_t)NLMSG_ALIGN(len);
	return at;
}

static void attr_put(struct nlmsghdr *nlh, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = msg_put(nlh, NLA_HDRLEN + len);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
}

static struct nlmsghdr *link_msg(void *buf, int ifindex, uint32_t seq, struct ifinfomsg **ifm)
{
	struct nlmsghdr *nlh = buf;
	memset(nlh, 0, NLMSG_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	*ifm = msg_put(nlh, sizeof(**ifm));
	(*ifm)->ifi_family = AF_UNSPEC;
	(*ifm)->ifi_index = ifindex;
	return nlh;
}

struct nlmsghdr *net_msg_link_up(void *buf, int ifindex, uint32_t seq)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, ifindex, seq, &ifm);
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return nlh;
}

struct nlmsghdr *net_msg_link_move(void *buf, int ifindex, const char *name, pid_t pid, int netns_fd, uint32_t seq)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, ifindex, seq, &ifm);
	uint32_t to = pid > 0 ? (uint32_t)pid : (uint32_t)netns_fd;
	attr_put(nlh, pid > 0 ? IFLA_NET_NS_PID : IFLA_NET_NS_FD, &to, sizeof(to));
	/* Given with the move, the kernel applies the name as the device enters
	 * the target namespace: no clash with a same-named host device. */
	if (name)
		attr_put(nlh, IFLA_IFNAME, name, strlen(name) + 1);
	return nlh;
}

static int rtnl_open(int *out)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*out = fd;
	return 0;
}

/* Send one request and wait for its ACK: 0 or the kernel's -errno. */
static int rtnl_talk(int nl, struct nlmsghdr *nlh)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(nl, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	char buf[NET_MSG_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		int len = (int)n;
		for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, len); m = NLMSG_NEXT(m, len)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_type != NLMSG_ERROR)
				continue;
			if (m->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EIO;
			const struct nlmsgerr *e = NLMSG_DATA(m);
			return e->error;
		}
	}
}

static uint32_t next_seq(void)
{
	static uint32_t seq;
	if (!seq)
		seq = (uint32_t)time(NULL);
	return ++seq;
}

int net_loopback_up(cerr *err)
{
	_cleanup_close_ int nl = -1;
	int r = rtnl_open(&nl);
	if (r < 0)
		return cerr_sys(err, -r, "network: opening an rtnetlink socket");
	int idx = (int)if_nametoindex("lo");
	if (!idx)
		return cerr_set(err, ENODEV, "network: lo: no loopback interface in this namespace");
	char buf[NET_MSG_BUF];
	r = rtnl_talk(nl, net_msg_link_up(buf, idx, next_seq()));
	if (r < 0)
		return cerr_sys(err, -r, "network: lo: bringing it up");
	return 0;
}

int net_link_delete(const char *name, cerr *err)
{
	int idx = (int)if_nametoindex(name);
	if (!idx)
		return 0;
	_cleanup_close_ int nl = -1;
	int r = rtnl_open(&nl);
	if (r < 0)
		return cerr_sys(err, -r, "network: opening an rtnetlink socket");
	char buf[NET_MSG_BUF];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, idx, next_seq(), &ifm);
	nlh->nlmsg_type = RTM_DELLINK;
	r = rtnl_talk(nl, nlh);
	if (r < 0 && r != -ENODEV)
		return cerr_sys(err, -r, "network: %s: deleting the device", name);
	return 0;
}

int net_restored_setup(pid_t pid, const struct oci_linux *l, cerr *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return cerr_sys(err, errno, "network: %s", path);
	_cleanup_close_pair_ int why[2] = { -1, -1 };
	if (pipe2(why, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "network: pipe");
	pid_t child = fork();
	if (child < 0)
		return cerr_sys(err, errno, "network: fork");
	if (child == 0) {
		cerr e = { 0 };
		int r = setns(ns, CLONE_NEWNET) < 0 ? cerr_sys(&e, errno, "network: join %s", path) : net_loopback_up(&e);
		/* the namespace's own sysctls: /proc/sys/net is the opener's namespace */
		for (size_t i = 0; r == 0 && i < l->n_sysctl; i++)
			if (strncmp(l->sysctl[i].key, "net.", 4) == 0)
				r = sysctl_write(l->sysctl[i].key, l->sysctl[i].value, &e);
		if (r < 0 && write(why[1], cerr_msg(&e), strlen(cerr_msg(&e))) < 0)
			_exit(2);
		_exit(r < 0 ? 1 : 0);
	}
	closep(&why[1]);
	why[1] = -1;
	char msg[512] = "";
	ssize_t n = read(why[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return cerr_sys(err, errno, "network: wait");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return cerr_set(err, EIO, "%s", msg[0] ? msg : "network: the restored namespace could not be set up");
	return 0;
}

static const char *device_name_inside(const struct oci_kv *d) { return d->value ? d->value : d->key; }

int net_move_devices(const struct oci_linux *l, pid_t pid, cerr *err)
{
	if (!l || !l->n_net_devices)
		return 0;
	if (pid <= 0)
		return cerr_set(err, EINVAL, "linux.netDevices: no container process to move devices to");
	_cleanup_close_ int nl = -1;
	int r = rtnl_open(&nl);
	if (r < 0)
		return cerr_sys(err, -r, "linux.netDevices: opening an rtnetlink socket");
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct oci_kv *d = &l->net_devices[i];
		int idx = (int)if_nametoindex(d->key);
		if (!idx)
			return cerr_set(err, ENODEV, "linux.netDevices.%s: no such network interface on the host", d->key);
		char buf[NET_MSG_BUF];
		r = rtnl_talk(nl, net_msg_link_move(buf, idx, device_name_inside(d), pid, -1, next_seq()));
		if (r == -EEXIST)
			return cerr_set(err, EEXIST, "linux.netDevices.%s: the container already has an interface named \"%s\"",
					d->key, device_name_inside(d));
		if (r < 0)
			return cerr_sys(err, -r, "linux.netDevices.%s: moving it into the container as \"%s\"", d->key,
					device_name_inside(d));
		log_debug("network: moved %s into pid %d's namespace as %s", d->key, (int)pid, device_name_inside(d));
	}
	return 0;
}

/* Enter ns_fd just long enough to open a socket there and find the
 * devices' indexes; the socket stays bound to that namespace. */
static int open_in_netns(int ns_fd, const struct oci_linux *l, int *idx, int *nl, cerr *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return cerr_sys(err, errno, "network: opening /proc/thread-self/ns/net");
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		return cerr_sys(err, errno, "network: entering the container's network namespace");
	int r = rtnl_open(nl);
	for (size_t i = 0; r == 0 && i < l->n_net_devices; i++)
		idx[i] = (int)if_nametoindex(device_name_inside(&l->net_devices[i]));
	if (setns(self, CLONE_NEWNET) < 0)
		/* Carrying on in the wrong namespace would be worse than stopping. */
		abort();
	if (r < 0)
		return cerr_sys(err, -r, "network: opening an rtnetlink socket in the container");
	return 0;
}

int net_return_devices(const struct oci_linux *l, int netns_fd, cerr *err)
{
	if (!l || !l->n_net_devices)
		return 0;
	_cleanup_close_ int host = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		return cerr_sys(err, errno, "network: opening /proc/thread-self/ns/net");
	return net_return_devices_to(l, netns_fd, host, err);
}

int net_return_devices_to(const struct oci_linux *l, int netns_fd, int host_fd, cerr *err)
{
	if (!l || !l->n_net_devices)
		return 0;
	_cleanup_free_ int *idx = calloc(l->n_net_devices, sizeof(*idx));
	if (!idx)
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_close_ int nl = -1;
	int r = open_in_netns(netns_fd, l, idx, &nl, err);
	if (r < 0)
		return r;
	int first = 0;
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct oci_kv *d = &l->net_devices[i];
		/* After a failed create it may never have been moved. */
		if (!idx[i]) {
			log_debug("network: %s is not in the container; not returning it", device_name_inside(d));
			continue;
		}
		char buf[NET_MSG_BUF];
		r = rtnl_talk(nl, net_msg_link_move(buf, idx[i], d->key, host_fd < 0 ? 1 : 0, host_fd, next_seq()));
		if (r < 0 && !first)
			first = cerr_sys(err, -r, "linux.netDevices.%s: returning \"%s\" to the host", d->key, device_name_inside(d));
	}
	return first;
}
