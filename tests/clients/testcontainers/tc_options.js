// testcontainers for Node.js against corrald's Docker socket, with the
// options a test suite sets on a database or a browser container: ulimits,
// shared memory, a tmpfs, capabilities, extra hosts, a user, a working
// directory, environment and labels, files copied in
// before the start, and a health check it waits for. Prints what the
// container itself reports, one line per option; exits non-zero on failure.
const { GenericContainer, Wait } = require("testcontainers");

(async () => {
  const c = await new GenericContainer("busybox:latest")
    .withCommand(["sh", "-c", "echo ready; exec sleep 100000"])
    .withUlimits({ nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 300, hard: 400 } })
    .withSharedMemorySize(32 * 1024 * 1024)
    .withTmpFs({ "/scratch": "rw,size=8m" })
    .withDroppedCapabilities("CHOWN")
    .withAddedCapabilities("NET_ADMIN")
    .withExtraHosts([{ host: "db.test", ipAddress: "10.9.8.7" }])
    .withUser("1000:1000")
    .withWorkingDir("/tmp")
    .withEnvironment({ TC_MODE: "options" })
    .withLabels({ "tc.case": "options" })
    .withCopyContentToContainer([{ content: "seeded\n", target: "/tmp/seed.txt", mode: 0o640 }])
    .withHealthCheck({ test: ["CMD-SHELL", "test -f /tmp/seed.txt"], interval: 200, timeout: 1000, retries: 5 })
    .withWaitStrategy(Wait.forHealthCheck())
    .start();
  console.log("healthy"); // Wait.forHealthCheck: the start waited for it
  const run = async (cmd, opts) => {
    const e = await c.exec(["sh", "-c", cmd], opts);
    if (e.exitCode !== 0) throw new Error(`${cmd}: exit ${e.exitCode}: ${e.output}`);
    return e.output.trim().replace(/\s+/g, " ");
  };
  console.log("nofile " + await run("ulimit -n; ulimit -Hn"));
  console.log("nproc " + await run("ulimit -u"));
  console.log("shm " + await run("df -k /dev/shm | awk 'NR == 2 {print $2}'"));
  console.log("tmpfs " + await run("df -k /scratch | awk 'NR == 2 {print $2}'"));
  // CHOWN is bit 0, NET_ADMIN bit 12: the bounding set as the engine set
  // it, from podman's default set (Docker's has NET_RAW, MKNOD and
  // AUDIT_WRITE too)
  console.log("caps " + await run("awk '/^CapBnd/ {print $2}' /proc/self/status"));
  console.log("hosts " + await run("grep db.test /etc/hosts | awk '{print $1}'"));
  console.log("user " + await run("id -u; id -g; pwd"));
  console.log("env " + await run("echo $TC_MODE"));
  // the copy keeps the tar's owner (root, as testcontainers writes it):
  // read back as root, as the container's user could not read it
  console.log("seed " + await run("cat /tmp/seed.txt; stat -c '%u %a' /tmp/seed.txt", { user: "0" }));
  console.log("unreadable " + await run("cat /tmp/seed.txt 2>/dev/null || echo by 1000"));
  await c.stop();
  console.log("stopped");
})().catch((err) => { console.error("testcontainers: " + (err && err.stack || err)); process.exit(1); });
