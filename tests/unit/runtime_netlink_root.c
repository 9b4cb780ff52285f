/* runtime/netlink.c against the kernel, as root, only inside throwaway
 * network namespaces: the host's interfaces are never touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "common/cleanup.h"
#include "runtime/netlink.h"

static bool can_run(void)
{
	if (geteuid() != 0) {
		print_message("skipped: needs root to create network namespaces\n");
		return false;
	}
	pid_t p = fork();
	if (p == 0)
		_exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
	int st;
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		print_message("skipped: unshare(CLONE_NEWNET) is not permitted here\n");
		return false;
	}
	return true;
}

/* Run fn in a child with a fresh network namespace; returns its exit code. */
static int in_new_netns(int (*fn)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSYS, SIG_DFL);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(100);
		_exit(fn());
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		fail_msg("child died of signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

static bool link_up(const char *name)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
}

static int loopback_child(void)
{
	if (link_up("lo"))
		return 1; /* a new namespace starts with lo down */
	cerr err = { 0 };
	if (net_loopback_up(&err) < 0) {
		fprintf(stderr, "net_loopback_up: %s\n", cerr_msg(&err));
		return 2;
	}
	if (!link_up("lo"))
		return 3;
	/* 127.0.0.1 answers: a TCP connection to a local listener completes. */
	_cleanup_close_ int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0)
		return 4;
	_cleanup_close_ int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 5;
	_cleanup_close_ int a = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0 || write(c, "ping", 4) != 4)
		return 6;
	char buf[4];
	if (read(a, buf, 4) != 4 || memcmp(buf, "ping", 4) != 0)
		return 7;
	/* Idempotent: bringing it up again is fine. */
	if (net_loopback_up(&err) < 0)
		return 8;
	return 0;
}

static void test_loopback_up(void **state)
{
	if (!can_run())
		skip();
	assert_int_equal(in_new_netns(loopback_child), 0);
}

/* Create name (and a second device, peer) in the current namespace: two
 * dummies, or else a veth pair when the dummy driver is not available. */
static int create_links(const char *name, const char *peer)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	int r = 0;
	for (int veth = 0; veth < 2; veth++) {
		const char *names[2] = { name, peer };
		for (int k = 0; k < (veth ? 1 : 2); k++) {
			char buf[NET_MSG_BUF];
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
			nlh->nlmsg_type = RTM_NEWLINK;
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
			nlh->nlmsg_seq = 1;
			struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
			ifm->ifi_family = AF_UNSPEC;
			mnl_attr_put_strz(nlh, IFLA_IFNAME, names[k]);
			struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
			mnl_attr_put_strz(nlh, IFLA_INFO_KIND, veth ? "veth" : "dummy");
			if (veth) {
				struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
				struct nlattr *p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
				mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
				mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
				mnl_attr_nest_end(nlh, p);
				mnl_attr_nest_end(nlh, data);
			}
			mnl_attr_nest_end(nlh, li);
			r = 0;
			if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
				r = -errno;
			ssize_t n = r ? -1 : mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (!r && (n < 0 || mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(nl), NULL, NULL) < 0))
				r = -errno;
			if (r < 0)
				break;
		}
		if (r == 0)
			break;
		fprintf(stderr, "note: %s devices: %s; trying the next kind\n", veth ? "veth" : "dummy", strerror(-r));
	}
	mnl_socket_close(nl);
	return r;
}

/* A process in its own network namespace (the "container"), answering
 * "is this interface here?" over a socketpair. */
static pid_t start_container(int *ctl)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(sp[0]);
		char ok = unshare(CLONE_NEWNET) == 0 ? 'R' : 'F';
		if (write(sp[1], &ok, 1) != 1 || ok != 'R')
			_exit(1);
		char q[IFNAMSIZ + 1];
		ssize_t n;
		while ((n = read(sp[1], q, IFNAMSIZ)) > 0) {
			q[n] = '\0';
			char a = if_nametoindex(q) ? 'Y' : 'N';
			if (write(sp[1], &a, 1) != 1)
				break;
		}
		_exit(0);
	}
	close(sp[1]);
	char c;
	if (pid < 0 || read(sp[0], &c, 1) != 1 || c != 'R') {
		close(sp[0]);
		return -1;
	}
	*ctl = sp[0];
	return pid;
}

static bool container_has(int ctl, const char *name)
{
	char a = 0;
	return write(ctl, name, strlen(name)) == (ssize_t)strlen(name) && read(ctl, &a, 1) == 1 && a == 'Y';
}

static int move_child(void)
{
	/* We are in a throwaway "host" namespace. */
	if (create_links("crltest0", "crltest1") < 0)
		return 1;
	int ctl = -1;
	pid_t ctr = start_container(&ctl);
	if (ctr < 0)
		return 2;
	int rc = 0;
	_cleanup_cerr_ cerr err = { 0 };
	/* crltest0 goes in as "crltest1", a name the host also has: the rename
	 * happens on entry, so the two never clash. */
	struct oci_kv devs[] = { { "crltest0", "crltest1" } };
	struct oci_linux l = { .net_devices = devs, .n_net_devices = 1 };
	char nspath[64];
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", (int)ctr);
	int nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		rc = 3;
	else if (net_move_devices(&l, ctr, &err) < 0) {
		fprintf(stderr, "net_move_devices: %s\n", cerr_msg(&err));
		rc = 4;
	} else if (if_nametoindex("crltest0") || !if_nametoindex("crltest1"))
		rc = 5; /* gone from the host; the host's own crltest1 stays */
	else if (!container_has(ctl, "crltest1") || container_has(ctl, "crltest0"))
		rc = 6;
	/* A name already taken in the container is refused, naming the device. */
	struct oci_kv clash[] = { { "crltest1", "crltest1" } };
	struct oci_linux lc = { .net_devices = clash, .n_net_devices = 1 };
	if (!rc && (net_move_devices(&lc, ctr, &err) != -EEXIST ||
		    strcmp(cerr_msg(&err), "linux.netDevices.crltest1: the container already has an interface named \"crltest1\"")))
		rc = 7;
	/* Back to the host under the host name. */
	if (!rc && net_return_devices(&l, nsfd, &err) < 0) {
		fprintf(stderr, "net_return_devices: %s\n", cerr_msg(&err));
		rc = 8;
	}
	if (!rc && (!if_nametoindex("crltest0") || container_has(ctl, "crltest1")))
		rc = 9;
	/* Returning again finds nothing to return: not an error. */
	if (!rc && net_return_devices(&l, nsfd, &err) < 0)
		rc = 10;
	if (nsfd >= 0)
		close(nsfd);
	close(ctl); /* the container process exits on EOF */
	waitpid(ctr, NULL, 0);
	return rc; /* our namespace, and what is left in it, goes with us */
}

static void test_move_and_return(void **state)
{
	if (!can_run())
		skip();
	int rc = in_new_netns(move_child);
	if (rc == 1) {
		print_message("skipped: neither dummy nor veth devices can be created here\n");
		skip();
	}
	if (rc)
		fail_msg("step %d failed", rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_up),
		cmocka_unit_test(test_move_and_return),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
