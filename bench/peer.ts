// The PyTorch side of the harness: bench/peers/torch_peer.py run by /usr/bin/python3 (or
// RNNLAB_BENCH_PYTHON), one thread, as a long-lived server (one JSON command per line) so that
// rounds can alternate between us and the peer without paying Python's start-up each time.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const PYTHON = process.env.RNNLAB_BENCH_PYTHON ?? '/usr/bin/python3';
export const PEER_SCRIPT = join(import.meta.dirname, 'peers', 'torch_peer.py');

/** One thread everywhere in the peer (PyTorch's intra-op pool and any BLAS below it). */
export const PEER_ENV = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

export type TorchInfo = { available: true; torch: string; numpy: string; threads: number; python: string } | { available: false; reason: string };

/** Whether the peer can run here (PyTorch importable), and its versions. */
export function torchInfo(): TorchInfo {
  const r = spawnSync(PYTHON, [PEER_SCRIPT, 'version'], { encoding: 'utf8', env: PEER_ENV });
  if (r.error) return { available: false, reason: `${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').at(-1) || `exit code ${r.status}`;
    return { available: false, reason: `${PYTHON} cannot run the peer (${last})` };
  }
  const v = JSON.parse(r.stdout) as { torch: string; numpy: string; threads: number };
  return { available: true, python: PYTHON, ...v };
}

/** A running peer process answering one JSON line per JSON command. */
export class PeerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(args: string[]) {
    this.child = spawn(PYTHON, [PEER_SCRIPT, ...args], { env: PEER_ENV });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  send(message: unknown): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  /** The next JSON line the peer prints. */
  async receive<T>(): Promise<T> {
    const next = await this.lines.next();
    if (next.done) throw new Error(`the PyTorch peer exited: ${this.stderr.trim() || 'no output'}`);
    const reply = JSON.parse(next.value) as T & { ok?: boolean; error?: string };
    if (reply.ok === false) throw new Error(`the PyTorch peer refused: ${reply.error}`);
    return reply;
  }

  async request<T>(message: unknown): Promise<T> {
    this.send(message);
    return this.receive<T>();
  }

  /** Asks the peer to stop and waits for it. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    await exited;
  }
}

/** Runs the peer once with `args` and returns the JSON it prints last. */
export function peerOnce<T>(args: string[]): T {
  const r = spawnSync(PYTHON, [PEER_SCRIPT, ...args], { encoding: 'utf8', env: PEER_ENV, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`the PyTorch peer failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}
