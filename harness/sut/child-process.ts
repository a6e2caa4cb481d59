/**
 * What the harness needs of a child process it starts (a cmd: client, a cmd: server): its
 * output split into lines as they arrive, bounded in count and length, and its process group,
 * tracked so that nothing of it outlives the harness (killed when the harness exits or is
 * interrupted).
 */
import type { ChildProcess } from 'node:child_process';

// ───────────────────────────── output ─────────────────────────────

export type Stream = 'stdout' | 'stderr';

/** Splits both streams into lines as they arrive, bounded in count and length. */
export class OutputCapture {
  readonly lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
  dropped = 0;
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  /** The rest of an over-long line is being dropped, up to its newline. */
  private readonly discarding: Record<Stream, boolean> = { stdout: false, stderr: false };
  private kept = 0;

  constructor(
    private readonly sink: (line: string) => void,
    private readonly maxLines: number,
    private readonly maxLength: number,
    /** Who printed them, in the note on dropped lines. */
    private readonly who = 'client',
  ) {}

  write(stream: Stream, chunk: Buffer): void {
    let text = chunk.toString('utf8');
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      if (this.discarding[stream]) this.discarding[stream] = false;
      else this.emit(stream, this.partial[stream] + text.slice(0, newline));
      this.partial[stream] = '';
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    if (this.discarding[stream]) return;
    this.partial[stream] += text;
    // A flood without newlines must not grow without bound: keep its start, drop the rest of the line.
    if (this.partial[stream].length > this.maxLength) {
      this.emit(stream, this.partial[stream]);
      this.partial[stream] = '';
      this.discarding[stream] = true;
    }
  }

  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.emit(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    if (this.dropped > 0) this.sink(`[resume-harness: ${this.dropped} more lines of ${this.who} output were dropped]`);
  }

  /** The line that best says why a process died: the last error-looking line near the end, else the last line. */
  telltaleLine(stream: Stream): string | null {
    const tail = this.lines[stream].slice(-30).map((l) => l.trim()).filter((l) => l !== '');
    return tail.findLast((l) => /error|exception|traceback|fatal|panic/i.test(l)) ?? tail.at(-1) ?? null;
  }

  private emit(stream: Stream, raw: string): void {
    if (this.kept >= this.maxLines) {
      this.dropped++;
      return;
    }
    this.kept++;
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).slice(0, this.maxLength);
    this.lines[stream].push(line);
    this.sink(line);
  }
}

// ───────────────────────────── process groups ─────────────────────────────

export interface TrackedGroup {
  /** SIGKILL to the whole group; safe to call any number of times. */
  kill(): void;
  /** SIGTERM to the whole group (a polite stop: the group stays tracked until `kill`). */
  terminate(): void;
  /** Whether any process of the group is still alive. */
  alive(): boolean;
  /** Resolves when both streams closed, or after `ms` (a descendant that left the group may hold them). */
  streamsClosed(ms: number): Promise<void>;
}

/** Groups still alive; killed if the harness itself exits or is interrupted. */
const liveGroups = new Set<number>();
let cleanupInstalled = false;

/** Whether any process of the group `pid` leads is alive (signal 0 reaches no one once it is gone). */
export function groupAlive(pid: number | string | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function onHarnessSignal(signal: NodeJS.Signals): void {
  for (const pid of liveGroups) killGroup(pid);
  liveGroups.clear();
  // Ours was the only listener: keep the default behaviour of the signal (terminate).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
  });
}

export function trackGroup(child: ChildProcess): TrackedGroup {
  installCleanup();
  const pid = child.pid;
  let streamsOpen = 2;
  let onStreamsClosed: (() => void) | null = null;
  const streamClosed = (): void => {
    streamsOpen--;
    if (streamsOpen <= 0) onStreamsClosed?.();
  };
  if (child.stdout) child.stdout.once('close', streamClosed);
  else streamsOpen--;
  if (child.stderr) child.stderr.once('close', streamClosed);
  else streamsOpen--;
  if (pid !== undefined) {
    liveGroups.add(pid);
    if (liveGroups.size === 1) {
      process.once('SIGINT', onHarnessSignal);
      process.once('SIGTERM', onHarnessSignal);
    }
  }
  let killed = false;
  return {
    kill: () => {
      if (pid === undefined || killed) return;
      killed = true;
      killGroup(pid);
      liveGroups.delete(pid);
      if (liveGroups.size === 0) {
        process.removeListener('SIGINT', onHarnessSignal);
        process.removeListener('SIGTERM', onHarnessSignal);
      }
    },
    terminate: () => {
      if (pid === undefined || killed) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // ESRCH: the group is already gone.
      }
    },
    alive: () => groupAlive(pid),
    streamsClosed: (ms) =>
      new Promise<void>((resolve) => {
        if (streamsOpen <= 0) return resolve();
        const timer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          resolve();
        }, ms);
        onStreamsClosed = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}
