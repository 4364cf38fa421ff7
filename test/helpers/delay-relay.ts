/**
 * A TCP relay that holds every chunk `delayMs` before passing it on, both ways: a far-away link for a test host where
 * the kernel has no netem (this VM's has none: CONFIG_NET_SCH_NETEM is off and there are no modules). Run in a host's
 * network namespace: node delay-relay.js LISTEN_PORT TARGET_HOST:PORT DELAY_MS (listens on 127.0.0.1).
 */
import net from 'node:net';

export function startRelay(listenPort: number, target: { host: string; port: number }, delayMs: number): net.Server {
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pass = (from: net.Socket, to: net.Socket) => {
      // Timers of one delay fire in the order they were set: the stream stays in order.
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      from.on('end', () => setTimeout(() => to.end(), delayMs));
      from.on('error', () => to.destroy());
    };
    pass(client, upstream);
    pass(upstream, client);
  });
  server.listen(listenPort, '127.0.0.1');
  return server;
}

if (process.argv[1]?.endsWith('delay-relay.js')) {
  const [port, target, delay] = process.argv.slice(2);
  const [host, targetPort] = target.split(':');
  startRelay(Number(port), { host, port: Number(targetPort) }, Number(delay)).on('listening', () =>
    process.stdout.write('listening\n'),
  );
}
