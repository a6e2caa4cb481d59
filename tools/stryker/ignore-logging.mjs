/**
 * A StrykerJS ignore-plugin (stryker.config.mjs `ignorers: ['logging']`): no mutant inside the
 * simulator's event-log calls (`run.event(...)`, `this.run.event(...)`) or the `snippet(...)`
 * that shortens a text for the log. The event log is the simulator's diary, not its wire: the
 * harness judges what crosses the WebSocket (docs/sut-contract.md §4), so a mutated event name or
 * field could only ever survive, and triaging hundreds of them as "equivalent: logging only"
 * would measure nothing (issue 15: "scoped to the code that decides, not to logging").
 *
 * Plain ESM JavaScript because Stryker loads plugins with Node's own import, not through tsx.
 */
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** The method a call expression calls, when it is `x.name(...)` or `name(...)`. */
function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
}

const LOGGING_CALLS = new Set(['event', 'snippet']);

export const loggingIgnorer = {
  shouldIgnore(path) {
    const node = path.node;
    if (node?.type !== 'CallExpression') return undefined;
    const name = calleeName(node.callee);
    return name !== undefined && LOGGING_CALLS.has(name) ? `event log only (${name}(...)): not on the wire` : undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'logging', loggingIgnorer)];
