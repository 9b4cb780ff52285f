#!/usr/bin/python3
"""A FUSE file system as a member could serve it against corrald: one
file under two names, x.tar and passwd, whose every request is answered,
except a FLUSH (the request each close(2) of a file there waits for,
unkillably) from the pids given.

  fuse_hold.py MOUNTPOINT LOG [PID...]

With FUSE_HOLD=OPCODE (GETATTR, say) in its environment, it holds every
request of that kind too, from whoever: a tree that takes as long to walk
as the test wants. With FUSE_HOLD_THEIRS=OPCODE, those from the pids given;
with FUSE_HOLD_KIDS=OPCODE, those from their children (corrald's helpers).

It mounts itself (it must be root: the test stands in for a member's
user-namespace mount) with allow_other, writes each request as a line
"OPCODE PID" to LOG ("held" after a FLUSH it keeps), and serves until it is
killed: the connection then aborts, and every request still waiting fails.
It speaks the kernel's protocol on /dev/fuse itself (no libfuse)."""
import errno
import os
import stat
import struct
import subprocess
import sys

NAMES = {1: "LOOKUP", 2: "FORGET", 3: "GETATTR", 14: "OPEN", 15: "READ", 17: "STATFS", 18: "RELEASE",
         22: "GETXATTR", 25: "FLUSH", 26: "INIT", 27: "OPENDIR", 29: "RELEASEDIR", 34: "ACCESS",
         35: "CREATE", 36: "INTERRUPT", 38: "DESTROY", 42: "BATCH_FORGET"}
NO_REPLY = {"FORGET", "BATCH_FORGET", "INTERRUPT"}
CONTENT = b"x" * 4096
ROOT, FILE = 1, 2


def attr(node):
    mode, nlink, size = (stat.S_IFDIR | 0o755, 2, 0) if node == ROOT else (stat.S_IFREG | 0o644, 1, len(CONTENT))
    # ino, size, blocks, a/m/ctime; their nsecs, mode, nlink, uid, gid, rdev, blksize, flags
    return struct.pack("<QQQQQQIIIIIIIIII", node, size, (size + 511) // 512, 0, 0, 0, 0, 0, 0, mode, nlink, 0, 0, 0,
                       4096, 0)


def answer(op, node, body):
    """(errno, payload) for a request; None for none"""
    if op == "INIT":
        major, minor, readahead = struct.unpack_from("<III", body)
        # major, minor, max_readahead, flags, max_background, congestion,
        # max_write, time_gran, max_pages, map_alignment, flags2, unused[7]
        return 0, struct.pack("<IIIIHHIIHHI", 7, 31, readahead, 0, 16, 12, 131072, 1, 32, 0, 0) + bytes(28)
    if op == "LOOKUP":
        if node == ROOT and body.split(b"\0")[0] in (b"x.tar", b"passwd"):
            return 0, struct.pack("<QQQQII", FILE, 0, 0, 0, 0, 0) + attr(FILE)
        return errno.ENOENT, b""
    if op == "GETATTR":
        return 0, struct.pack("<QII", 0, 0, 0) + attr(node)
    if op in ("OPEN", "OPENDIR"):
        return 0, struct.pack("<QII", 1, 0, 0)
    if op == "READ":
        _, offset, size = struct.unpack_from("<QQI", body)
        return 0, CONTENT[offset:offset + size]
    if op == "STATFS":
        return 0, struct.pack("<QQQQQIIII", 1000, 500, 500, 100, 50, 4096, 255, 4096, 0) + bytes(24)
    if op in ("RELEASE", "RELEASEDIR", "ACCESS", "FLUSH"):
        return 0, b""
    return errno.ENOSYS, b""


def main():
    mountpoint, log_path, held = sys.argv[1], sys.argv[2], {int(p) for p in sys.argv[3:]}
    dev = os.open("/dev/fuse", os.O_RDWR)
    subprocess.run(["mount", "-i", "-t", "fuse", "-o",
                    f"fd={dev},rootmode=40000,user_id=0,group_id=0,allow_other", "hold", mountpoint],
                   pass_fds=[dev], check=True)
    log = open(log_path, "a", buffering=1)
    while True:
        try:
            msg = os.read(dev, (1 << 20) + 4096)
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.EINTR, errno.EAGAIN):
                continue  # a request interrupted before it was read
            return  # ENODEV: unmounted
        _, opcode, unique, node, _, _, pid = struct.unpack_from("<IIQQIII", msg)
        op = NAMES.get(opcode, str(opcode))
        log.write(f"{op} {pid}\n")
        if op == "DESTROY":
            return
        if op in NO_REPLY:
            continue
        if ((op in ("FLUSH", os.environ.get("FUSE_HOLD_THEIRS")) and pid in held)
                or (op == os.environ.get("FUSE_HOLD_KIDS") and parent(pid) in held)
                or op == os.environ.get("FUSE_HOLD")):
            log.write("held\n")
            continue
        code, payload = answer(op, node, msg[40:])
        os.write(dev, struct.pack("<IiQ", 16 + len(payload), -code, unique) + payload)


def parent(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("PPid:"))
    except (OSError, StopIteration):
        return 0  # gone


if __name__ == "__main__":
    main()
