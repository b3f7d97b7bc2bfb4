/**
 * Opens a page in headless Debian `chromium` over the DevTools protocol (Node's own WebSocket) and reports
 * what a reader would see: console errors and exceptions, the title, and what an expression evaluates to.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const chromiumPath = '/usr/bin/chromium';

export async function inspectPage(file: string, expression: string): Promise<{ errors: string[]; value: unknown }> {
  const profile = mkdtempSync(join(tmpdir(), 'lorag-chromium-'));
  const proc = spawn(
    chromiumPath,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      proc.stderr.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text);
        if (m) resolve(Number(m[1]));
      });
      proc.on('exit', (code) => reject(new Error(`chromium exited ${code}: ${text.slice(-500)}`)));
    });
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('chromium has no page target');
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    let id = 0;
    const pending = new Map<number, (result: unknown) => void>();
    const waiters: { method: string; resolve: () => void }[] = [];
    const errors: string[] = [];
    ws.onmessage = (event) => {
      const msg = JSON.parse(String(event.data));
      if (msg.id !== undefined) pending.get(msg.id)?.(msg.result ?? msg.error);
      if (msg.method === 'Runtime.consoleAPICalled' && (msg.params.type === 'error' || msg.params.type === 'assert'))
        errors.push(
          msg.params.args.map((a: { value?: unknown; description?: string }) => a.value ?? a.description).join(' '),
        );
      if (msg.method === 'Runtime.exceptionThrown') errors.push(msg.params.exceptionDetails.text);
      if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error') errors.push(msg.params.entry.text);
      for (const w of waiters.filter((x) => x.method === msg.method)) w.resolve();
    };
    const send = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<any>((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    await send('Runtime.enable');
    await send('Log.enable');
    await send('Page.enable');
    const loaded = new Promise<void>((resolve) => waiters.push({ method: 'Page.loadEventFired', resolve }));
    await send('Page.navigate', { url: pathToFileURL(file).href });
    await loaded;
    const result = await send('Runtime.evaluate', { expression, returnByValue: true });
    ws.close();
    return { errors, value: result?.result?.value };
  } finally {
    proc.kill();
    await new Promise((resolve) => (proc.exitCode !== null ? resolve(null) : proc.once('exit', resolve)));
    rmSync(profile, { recursive: true, force: true });
  }
}
