// testcontainers for Node.js building its fixture from a Dockerfile
// (GenericContainer.fromDockerfile), as a test harness does, then starting
// it and reading what the build put there. Prints one line per step.
const { GenericContainer } = require("testcontainers");

(async () => {
  const dir = process.argv[2];
  const image = await GenericContainer.fromDockerfile(dir).withBuildArgs({ FLAVOUR: "tc-built" }).build("tc-fixture:1", { deleteOnExit: false });
  console.log("built");
  const c = await image.withCommand(["sleep", "1000"]).start();
  const e = await c.exec(["cat", "/flavour"]);
  console.log("read " + e.output.trim());
  await c.stop();
  console.log("stopped");
})().catch((err) => { console.error("testcontainers: " + (err && err.stack || err)); process.exit(1); });
