/** @module load/bench/args — `npm run bench -- [--quick] [--json FILE] [--rounds N] [--seconds S] [--only a,b] [--no-pin] [--open-streams N]`. */
export interface BenchArgs {
  quick: boolean;
  json: string | null;
  rounds: number;
  /** Seconds per measurement at 32 connections. */
  seconds: number;
  /** Seconds per measurement at 1 connection. */
  c1Seconds: number;
  warmupSeconds: number;
  connections: number;
  only: string[] | null;
  pin: boolean;
  openStreams: number;
  outDir: string;
  cpuProf: string | null;
  /** Chunks in lorag-hybrid's knowledge base. */
  hybridChunks: number;
  /** Peer gateways to measure beside lorag (`portkey`). */
  peers: string[];
  /** Also measure the scaling table (tenants, keys, adapters, body size, stream length). */
  scaling: boolean;
}

export const BENCH_USAGE = `usage: npm run bench -- [options]
  --quick              every scenario briefly (under a minute in all): 1 round, 1.5 s at c=32, 1 s at c=1
  --json FILE          write {"scenarios":[{"name","rps","p50_ms","p99_ms","ttfb_p50_ms"?,"rss_mb"?}]}
  --rounds N           interleaved rounds (default 3; order alternates every round)
  --seconds S          seconds per measurement at 32 connections (default 8)
  --c1-seconds S       seconds per measurement at 1 connection (default 3)
  --connections N      loaded concurrency (default 32)
  --only a,b           only these scenarios (direct and bare-proxy always run, for the ratios)
  --open-streams N     concurrent open streams for the memory measurement (default 1000, quick 200; 0 = skip)
  --no-pin             do not pin processes with taskset
  --out DIR            results folder (default load/bench/results)
  --cpu-prof DIR       run the gateways with --cpu-prof, profiles written to DIR
  --hybrid-chunks N    chunks in lorag-hybrid's knowledge base (default 10000, quick 1000)
  --peers portkey      also measure Portkey's OSS gateway (installed on demand into load/peers/portkey)
  --scaling            also measure the scaling table (CPU µs/req vs tenants, keys, adapters, body, stream)
`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    quick: false,
    json: null,
    rounds: 3,
    seconds: 8,
    c1Seconds: 3,
    warmupSeconds: 2,
    connections: 32,
    only: null,
    pin: true,
    openStreams: 1000,
    outDir: new URL('./results', import.meta.url).pathname,
    cpuProf: null,
    hybridChunks: 10_000,
    peers: [],
    scaling: false,
  };
  const set: Record<string, boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${BENCH_USAGE}`);
      return v;
    };
    const number = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
      return n;
    };
    set[flag] = true;
    if (flag === '--quick') a.quick = true;
    else if (flag === '--json') a.json = value();
    else if (flag === '--rounds') a.rounds = Math.max(1, Math.round(number()));
    else if (flag === '--seconds') a.seconds = number();
    else if (flag === '--c1-seconds') a.c1Seconds = number();
    else if (flag === '--connections') a.connections = Math.max(1, Math.round(number()));
    else if (flag === '--only')
      a.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (flag === '--open-streams') a.openStreams = Math.round(number());
    else if (flag === '--no-pin') a.pin = false;
    else if (flag === '--out') a.outDir = value();
    else if (flag === '--cpu-prof') a.cpuProf = value();
    else if (flag === '--hybrid-chunks') a.hybridChunks = Math.max(1, Math.round(number()));
    else if (flag === '--peers')
      a.peers = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (flag === '--scaling') a.scaling = true;
    else if (flag === '--help' || flag === '-h') throw new Error(BENCH_USAGE);
    else throw new Error(`unknown option ${flag}\n${BENCH_USAGE}`);
  }
  if (a.quick) {
    if (!set['--rounds']) a.rounds = 1;
    if (!set['--seconds']) a.seconds = 1.5;
    if (!set['--c1-seconds']) a.c1Seconds = 1;
    if (!set['--open-streams']) a.openStreams = 200;
    if (!set['--hybrid-chunks']) a.hybridChunks = 1000;
    a.warmupSeconds = 0.5;
  }
  return a;
}
