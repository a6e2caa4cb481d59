/**
 * Protocol hygiene (what the client sends) and secrets (what the client prints).
 */
import { fingerprint } from '../../protocol/redact.ts';
import { s, type JudgeInput } from './judge-input.ts';
import { breach } from './judge-rules.ts';
import { ok, type AxisVerdict } from './verdict.ts';

export function judgeProtocol(input: JudgeInput): AxisVerdict {
  const segments = input.analysis.timeline.segments;
  // A frame the WebSocket layer refused (over the frame limit, bad UTF-8) never became a message: its close says so.
  const refused = segments.find((seg) => seg.close?.cause?.startsWith('transport:'));
  if (refused) return breach('protocol.refused-frame', `The client sent a frame the server's WebSocket layer refused on connection ${refused.ordinal}, which was closed ${refused.close!.code}: ${refused.close!.cause!.replace(/^transport: /, '')}.`);
  const frames = segments.flatMap((seg) => seg.framesIn.map((f) => ({ seg, f })));
  const bad = frames.filter(({ f }) => f.decoded !== 'valid');
  if (bad.length > 0) {
    const { seg, f } = bad[0]!;
    const what = f.decoded === 'unknown-type' ? `unknown type "${f.type}"` : f.decoded === 'binary' ? 'a binary frame' : f.problem ?? f.decoded;
    return breach('protocol.invalid-frame', `The client sent ${s(bad.length, 'frame')} that the protocol does not allow; the first on connection ${seg.ordinal}: ${what}.`);
  }
  const budget = 3 * (input.scenario.conversation.maxTurns + input.analysis.timeline.segments.length + 5);
  // A Gemini Live client streams realtimeInput (audio, video) by design (gemini-live.md §1.3): only
  // its other messages count against the budget, or every voice client would be a flood.
  const counted = input.protocol === 'gemini-live' ? frames.filter(({ f }) => f.type !== 'realtimeInput') : frames;
  if (counted.length > budget) return breach('protocol.flood', `Flood: the client sent ${counted.length} frames for a ${input.scenario.conversation.maxTurns}-turn conversation (budget ${budget}).`);
  return ok(`${s(frames.length, 'frame')} from the client, all valid ${input.protocol === 'gemini-live' ? 'Gemini Live (BidiGenerateContent)' : 'protocol v1'} messages.`);
}

export function judgeSecrets(input: JudgeInput): AxisVerdict {
  const secrets = input.secrets.filter((x) => x.length >= 8);
  for (let i = 0; i < input.output.length; i++) {
    const line = input.output[i]!;
    const leaked = secrets.find((secret) => line.includes(secret));
    if (leaked) {
      const kind = leaked.startsWith('rh_') ? 'resume handle' : leaked.startsWith('st_') ? 'session token' : input.protocol === 'gemini-live' ? 'API key' : 'share token';
      return breach('secrets.leaked', `The client's output line ${i + 1} contains a full ${kind} (${fingerprint(leaked)}); spec §5.1: handles are bearer credentials.`);
    }
  }
  if (input.output.length === 0) return ok('The client printed nothing: no secret could leak.');
  return ok(`No handle or token in ${s(input.output.length, 'line')} of client output.`);
}
