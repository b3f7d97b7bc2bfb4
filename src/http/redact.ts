/**
 * @module http/redact — the last guard before an error message reaches a tenant: filesystem paths, network
 * addresses, file URLs and stack frames are replaced by placeholders (the unredacted text goes to the log
 * with the request id). Stages should not put such details in messages in the first place; this catches
 * what comes from elsewhere (a vLLM error that echoes an adapter's path, a Node error that names a socket).
 */

const patterns: [RegExp, string][] = [
  // Stack frames: "    at fn (file:///srv/x.ts:1:2)" / "at /srv/x.js:10:5".
  [/\n?\s*at [^\n]*(?:\.[cm]?[jt]s|node:[\w/]+):\d+(?::\d+)?\)?/g, ''],
  [/\bfile:\/\/\/?[^\s'"`),]*/g, '<path>'],
  // URLs with an explicit host (http://10.0.0.3:8000/v1 …).
  [/\b(?:https?|redis|rediss|grpc|tcp):\/\/[^\s'"`),]+/g, '<address>'],
  // IPv4 (optionally with port) and [IPv6]:port.
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<address>'],
  [/\[[0-9a-fA-F]*:[0-9a-fA-F:]*\](?::\d{1,5})?/g, '<address>'], // needs a colon: `[0]` is an index
  // host:port where host is a name (localhost:8000, vllm-0.internal:8000).
  [/\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{2,5}\b/gi, '<address>'],
  // Absolute POSIX paths with at least two segments, except the gateway's own routes; Windows paths.
  [/(^|[\s'"`(=:])(\/(?!v1\/|admin\/|v1\b|admin\b)[\w.@~+-]+(?:\/[\w.@~+-]*)+)/g, '$1<path>'],
  [/\b[A-Za-z]:\\[^\s'"`]+/g, '<path>'],
];

export function redactInternals(message: string): string {
  let out = message;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
