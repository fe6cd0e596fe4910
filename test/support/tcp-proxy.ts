import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder to `target` (e.g. the shared LocalStack) that a test can switch to
 * refusing connections, to make the cloud unreachable for one daemon without stopping
 * LocalStack for everyone else. Switching off also cuts the open (keep-alive) connections.
 */
export async function tcpProxy(target: string): Promise<{ url: string; forward(on: boolean): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  let forwarding = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!forwarding) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    forward(on) {
      forwarding = on;
      if (!on) for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
