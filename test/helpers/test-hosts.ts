/**
 * Load hosts on this machine, honestly apart: each a network namespace with its own address on a bridge of the test's
 * own (10.77.0.0/24; the bridge, 10.77.0.1, is where the test's Kafka and Redis listen). What a test runs in one
 * goes through that link. A far-away host: a relay in its namespace that delays what passes (delay-relay.ts; this
 * kernel has no netem). Needs root and iproute2; made and removed by the test.
 */
import { execFileSync, spawn } from 'node:child_process';
import { ROOT } from './services.js';

export const BRIDGE_IP = '10.77.0.1';

export interface TestHost {
  name: string;
  ip: string;
}

export interface TestHosts {
  hosts: TestHost[];
  /** Starts a command in a host's namespace; the env is added to this process's. */
  spawnIn(host: TestHost, cmd: string, args: string[], env?: Record<string, string>): ReturnType<typeof spawn>;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** `count` hosts. */
export function makeTestHosts(count: number): TestHosts {
  const tag = `ds${process.pid % 10000}`;
  const bridge = `${tag}br`;
  const hosts: TestHost[] = [];
  const remove = () => {
    for (const h of hosts) tryIp('netns', 'del', h.name);
    tryIp('link', 'del', bridge);
  };
  remove();
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${BRIDGE_IP}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (let i = 0; i < count; i++) {
      const host = { name: `${tag}h${i}`, ip: `10.77.0.${10 + i}` };
      hosts.push(host);
      ip('netns', 'add', host.name);
      ip('link', 'add', `${tag}v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.name);
      ip('link', 'set', `${tag}v${i}`, 'master', bridge, 'up');
      ip('-n', host.name, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0');
      ip('-n', host.name, 'link', 'set', 'eth0', 'up');
      ip('-n', host.name, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    remove();
    throw e;
  }
  return {
    hosts,
    spawnIn: (host, cmd, args, env = {}) =>
      spawn('ip', ['netns', 'exec', host.name, cmd, ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    remove,
  };
}

function tryIp(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // not there: nothing to remove
  }
}
