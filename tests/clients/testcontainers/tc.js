// testcontainers for Node.js against corrald's Docker socket, as a test
// harness uses it: a container with a wait strategy and a mapped port, an
// exec, and its stop. Prints one line per step; exits non-zero on failure.
const { GenericContainer, Wait } = require("testcontainers");

(async () => {
  const c = await new GenericContainer("busybox:latest")
    .withCommand(["sh", "-c", "mkdir -p /www && echo tc-hello >/www/index.html && echo ready && exec httpd -f -p 8080 -h /www"])
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forLogMessage("ready"))
    .start();
  console.log("started " + (c.getId().length === 64));
  const url = `http://${c.getHost()}:${c.getMappedPort(8080)}/`;
  let body = "";
  for (let i = 0; i < 100 && !body; i++) {
    try { body = (await (await fetch(url)).text()).trim(); } catch (e) { await new Promise(r => setTimeout(r, 50)); }
  }
  console.log("served " + body);
  const e = await c.exec(["sh", "-c", "echo exec-ok; exit 3"]);
  console.log("exec " + e.output.trim() + " " + e.exitCode);
  await c.stop();
  console.log("stopped");
})().catch((err) => { console.error("testcontainers: " + (err && err.stack || err)); process.exit(1); });
