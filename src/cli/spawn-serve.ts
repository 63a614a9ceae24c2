// Starts `lots serve` as its own process and waits until /healthz answers: for the benchmark
// of start-up times and for tests that use Lots as a user does.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command, dist/cli/lots.js, wherever this module runs from. */
export const LOTS_BIN = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'dist', 'cli', 'lots.js');

export interface Served {
  url: string;
  stop: () => Promise<void>;
  /** kill -9: no shutdown, whatever is in hand is dropped (the crash test). */
  kill: () => Promise<void>;
}

export async function spawnServe(env: Record<string, string>): Promise<Served> {
  const server: ChildProcess = spawn(process.execPath, [LOTS_BIN, 'serve'], { env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', ...env } });
  const end = (signal: NodeJS.Signals) => async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill(signal);
    await new Promise((r) => server.once('exit', r));
  };
  const stop = end('SIGTERM');
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => {
        const m = /http:\/\/[\d.]+:(\d+)/.exec(String(d));
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      server.on('exit', (code) => reject(new Error(`lots serve exited with ${code}`)));
    });
    while ((await fetch(`${url}/healthz`).catch(() => null))?.status !== 200) await new Promise((r) => setTimeout(r, 20));
    return { url, stop, kill: end('SIGKILL') };
  } catch (err) {
    await stop();
    throw err;
  }
}
