#!/usr/bin/env node
// Installed packages run the JavaScript built into dist/ (Node does not strip types inside node_modules);
// a source checkout runs src/ directly on Node >= 22.18.
import { existsSync } from 'node:fs';
const built = new URL('../dist/cli.js', import.meta.url);
await import(existsSync(built) ? built.href : new URL('../src/cli.ts', import.meta.url).href);
