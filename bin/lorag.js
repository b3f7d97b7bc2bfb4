#!/usr/bin/env node
// A source checkout runs src/ directly (Node >= 22.18 strips types); an installed package, which ships
// no src/, runs the JavaScript built into dist/ (Node does not strip types inside node_modules).
import { existsSync } from 'node:fs';
const source = new URL('../src/cli.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/cli.js', import.meta.url).href);
