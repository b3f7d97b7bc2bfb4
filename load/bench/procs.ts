/**
 * @module load/bench/procs — the processes of a bench run: each one a child pinned to a CPU with taskset
 * (when taskset exists), stderr kept in a log file, readiness by polling a URL, RSS read from /proc, and
 * everything killed by pid when the run ends or is interrupted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const nodeBin = process.execPath;

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  logFile: string;
}

const children: Child[] = [];

export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function cpuCount(): number {
  return cpus().length;
}

/** Pins this process (every thread) to one CPU, so the load generator shares a core with the upstream. */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SpawnOptions {
  /** CPU to pin to, or null for no pinning. */
  cpu: number | null;
  env?: NodeJS.ProcessEnv;
  logDir: string;
  cwd?: string;
}

/**
 * taskset execs the command, so the child's pid is the pinned program's own pid (RSS is read from it).
 * Output goes straight to a log file (stdout to /dev/null when `quietStdout`: a gateway's request log is still
 * formatted and written, as in production, but costs the runner's core nothing).
 */
export function spawnPinned(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { quietStdout?: boolean },
): Child {
  const [cmd, argv] =
    options.cpu === null ? [command, args] : ['taskset', ['-c', String(options.cpu), command, ...args]];
  const logFile = join(options.logDir, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const proc = spawn(cmd, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.quietStdout ? 'ignore' : fd, fd],
  });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${name}: ${cmd}`);
  const child = { name, pid: proc.pid, proc, logFile };
  children.push(child);
  return child;
}

/** Waits until something accepts TCP connections on the port (Redis). */
export async function waitTcp(child: Child, port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && child.proc.exitCode === null) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} is not accepting connections on ${port}; log ${child.logFile}`);
}

export async function waitReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.proc.exitCode !== null) break;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = readFileSync(child.logFile, 'utf8').split('\n').slice(-15).join('\n');
  throw new Error(
    `${child.name} did not become ready at ${url} (exit ${child.proc.exitCode}); log ${child.logFile}:\n${tail}`,
  );
}

/** Resident set size in MiB from /proc (null where /proc is missing). */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/PID/stat (null where /proc is missing). */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

/** Samples a process's RSS while `during` runs; resolves to the peak in MiB. */
export async function peakRss<T>(
  pid: number | null,
  during: () => Promise<T>,
  everyMs = 100,
): Promise<{ result: T; peak: number | null; cpu: number | null }> {
  if (pid === null) return { result: await during(), peak: null, cpu: null };
  const cpu0 = cpuMs(pid);
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    const now = rssMb(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, everyMs);
  try {
    const result = await during();
    const last = rssMb(pid);
    if (last !== null && (peak === null || last > peak)) peak = last;
    const cpu1 = cpuMs(pid);
    return { result, peak, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
  } finally {
    clearInterval(timer);
  }
}

export async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all(children.splice(0).reverse().map(stopChild));
}

/** Kills children synchronously when the runner dies (Ctrl-C, uncaught error). */
export function killAllSync(): void {
  for (const child of children) {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  }
}

/** Stops one child by pid (a gateway the scaling table no longer needs) and forgets it. */
export async function stopPid(pid: number | null): Promise<void> {
  const i = children.findIndex((c) => c.pid === pid);
  if (i < 0) return;
  const [child] = children.splice(i, 1);
  await stopChild(child);
}
