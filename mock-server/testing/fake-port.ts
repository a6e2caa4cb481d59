/** An in-memory ConnectionPort and a manual clock, for testing the server logic without a transport. */
import { ManualClock } from '../../protocol/testing/manual-clock.ts';
import { decodeServerFrame, type ServerMessage } from '../../protocol/messages.ts';
import type { ConnectionPort, IncomingData } from '../core/connection-port.ts';

/** The one manual clock of the tests (protocol/testing): the server's core never awaits, so `tick` drives it. */
export const manualClock = (): ManualClock => new ManualClock();

export class FakePort implements ConnectionPort {
  readonly capabilities = { pings: false, halfOpen: 'emulated' as const };
  readonly sent: ServerMessage[] = [];
  readonly raw: string[] = [];
  closedWith: { code: number; reason: string } | null = null;
  dropped = false;
  halted = false;
  private dataListener: ((data: IncomingData) => void) | null = null;
  private closeListener: ((code: number, reason: string, by: 'client' | 'server' | 'network') => void) | null = null;

  sendText(text: string): void {
    this.raw.push(text);
    const decoded = decodeServerFrame(text);
    if (decoded.state === 'valid') this.sent.push(decoded.message);
  }
  sendBinary(): void { this.raw.push('<binary>'); }
  close(code: number, reason: string): void { this.closedWith = { code, reason }; }
  drop(): void { this.dropped = true; }
  halfOpen(): void { this.halted = true; }
  setPongs(): void {}
  onData(listener: (data: IncomingData) => void): void { this.dataListener = listener; }
  onClose(listener: (code: number, reason: string, by: 'client' | 'server' | 'network') => void): void { this.closeListener = listener; }

  /** The client sends a frame. */
  receive(message: object | string): void {
    this.dataListener?.({ text: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  /** The client closes. */
  clientClose(code = 1000, reason = ''): void { this.closeListener?.(code, reason, 'client'); }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }
  /** Whole agent turns: the chunks of each turn joined, one entry per final chunk. */
  get finals(): string[] {
    const turns: string[] = [];
    let current = '';
    for (const t of this.of('transcript')) {
      current += t.text;
      if (t.final) {
        turns.push(current);
        current = '';
      }
    }
    return turns;
  }
  get handles(): string[] {
    return this.of('session_resumption_update').filter((u) => u.resumable).map((u) => u.handle);
  }
}
