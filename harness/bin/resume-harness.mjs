#!/usr/bin/env node
// The published entry point: TypeScript sources run through tsx's loader.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const { main } = await import(fileURLToPath(new URL('../cli/main.ts', import.meta.url)));
// Exit explicitly: a client run in-process may leave a handle open that would keep the CLI alive.
process.exit(await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }));
