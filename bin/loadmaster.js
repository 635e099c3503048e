#!/usr/bin/env node
// Entry point: refuses old Node.js with a clear message, then runs the CLI.
// From a checkout the TypeScript sources run directly (Node strips the types);
// an installed package ships the compiled dist/.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`loadmaster needs Node.js >= 22.18 (found ${process.versions.node}). Install Node.js 24 LTS.`);
  process.exit(1);
}
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
