#!/usr/bin/env node
/**
 * The same minimal client as a process, for `--sut cmd:` (sut-contract §3): configuration
 * from the RESUME_HARNESS_* variables, the result written to RESUME_HARNESS_RESULT, exit
 * status 0 only when the conversation completed.
 *
 *   npx resume-harness run goaway --mode network --sut "cmd:node examples/cmd-client.mjs"
 *
 * Node 22 has a global WebSocket; on Node 20 the `ws` package stands in (or start Node with
 * --experimental-websocket).
 */
import { writeFile } from 'node:fs/promises';
import run from './module-client.mjs';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`cmd-client: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

if (typeof globalThis.WebSocket === 'undefined') {
  try {
    globalThis.WebSocket = (await import('ws')).WebSocket;
  } catch {
    console.error('cmd-client: no WebSocket: use Node >= 22, `node --experimental-websocket`, or `npm install ws`');
    process.exit(2);
  }
}

const result = await run({
  httpUrl: env('RESUME_HARNESS_HTTP_URL'),
  wsUrl: env('RESUME_HARNESS_WS_URL'),
  shareToken: env('RESUME_HARNESS_SHARE_TOKEN'),
  maxTurns: Number(env('RESUME_HARNESS_MAX_TURNS')),
  seed: Number(process.env.RESUME_HARNESS_SEED ?? 0),
  timeScale: Number(process.env.RESUME_HARNESS_TIME_SCALE ?? 1),
});
const json = `${JSON.stringify(result, null, 2)}\n`;
if (process.env.RESUME_HARNESS_RESULT) await writeFile(process.env.RESUME_HARNESS_RESULT, json);
else process.stdout.write(json);
// Sockets left closing (a half-open one takes a while) must not keep the process alive.
process.exit(result.status === 'completed' ? 0 : 1);
