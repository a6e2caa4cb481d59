/**
 * `ws.send(Buffer.from(JSON.stringify(message)))`: the JSON messages go out as binary frames,
 * which the protocol keeps for audio. A browser client reads them as audio, or drops them (F23).
 */
import { serverMutant } from './server-mutant.ts';

export const S9_BINARY_FRAMES = serverMutant(
  {
    id: 's9-binary-frames',
    title: 'JSON in binary frames',
    axis: 'frame-types',
    bug: 'sends its JSON messages to the client as binary frames',
    standsFor: 'server-contract.md §2, Frames: "JSON messages go to the client in text frames. Binary frames carry only audio"; F23',
  },
  { jsonFrame: () => 'binary' },
);
