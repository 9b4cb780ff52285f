#include "terminal.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int tty_open_in_root(const char *rootfs, int *master, int *slave, cerr *err)
{
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cerr_sys(err, errno, "process.terminal: open %s", rootfs);
	_cleanup_close_ int m = open_in_root(rootfd, "/dev/ptmx", O_RDWR | O_NOCTTY, 0);
	if (m < 0)
		return cerr_sys(err, -m, "process.terminal: open /dev/ptmx in the container");
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return cerr_sys(err, errno, "process.terminal: unlock pty");
	/* TIOCGPTPEER opens the peer without a path lookup */
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return cerr_sys(err, errno, "process.terminal: open pty peer");
	*master = TAKE_FD(m);
	*slave = s;
	return 0;
}

int tty_attach_slave(int master, cerr *err)
{
	_cleanup_close_ int s = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return cerr_sys(err, errno, "process.terminal: open pty peer");
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return cerr_sys(err, errno, "process.terminal: set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(s, fd) < 0)
			return cerr_sys(err, errno, "process.terminal: dup2");
	return 0;
}

void tty_set_size(int fd, unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	ioctl(fd, TIOCSWINSZ, &ws);
}

int tty_send_fd(int sock, int master, cerr *err)
{
	/* runc sends the terminal's name as the payload */
	static const char name[] = "/dev/ptmx";
	ssize_t r = fd_send(sock, name, sizeof(name) - 1, &master, 1, 0);
	return r < 0 ? cerr_sys(err, (int)-r, "send the terminal") : 0;
}

int tty_send_to_socket(const char *path, int master, cerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return cerr_set(err, ENAMETOOLONG, "--console-socket: %s: path too long", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return cerr_sys(err, errno, "--console-socket: connect %s", path);
	int r = tty_send_fd(sock, master, err);
	return r < 0 ? cerr_wrap(err, "--console-socket %s", path) : 0;
}

static int copy_once(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n == 0 ? -EPIPE : -errno;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += w;
	}
	return 0;
}

void tty_copy_size(int master)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

int tty_proxy(int master, int pidfd, cerr *err)
{
	struct termios saved;
	bool raw = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
		tty_copy_size(master);
	}
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	bool in_open = true, exited = false;
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
		};
		/* once the init exited, drain what is left without blocking */
		int n = poll(p, 4, exited ? 0 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (copy_once(master, STDOUT_FILENO) < 0)
				break;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			if (copy_once(STDIN_FILENO, master) < 0)
				in_open = false;
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
			tty_copy_size(master);
		}
		if (p[3].revents & POLLIN)
			exited = true;
	}
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return 0;
}
