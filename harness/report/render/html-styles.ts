/** The one stylesheet every HTML page inlines: pages open from disk with no network. */
import { VERDICTS } from '../../judge/verdict.ts';
import { VERDICT_STYLE } from './verdicts.ts';

const verdictRules = VERDICTS.map((v) => `.v-${cssName(v)}{background:${VERDICT_STYLE[v].colour};color:${VERDICT_STYLE[v].text}}`).join('\n');

export function cssName(verdict: string): string {
  return verdict.replace(/[^A-Za-z0-9]+/g, '-');
}

export const HTML_STYLES = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:20px 28px;color:#1d1d1d;background:#fafafa}
h1{font-size:22px;margin:6px 0 8px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:14px;margin:14px 0 6px}
a{color:#1f5fbf}nav{font-size:13px;margin-bottom:8px}
.meta{color:#555;margin:2px 0}.reason{font-size:15px;margin:8px 0;padding:8px 12px;background:#fff;border-left:4px solid #999}
.badge{display:inline-block;padding:2px 8px;border-radius:4px;font-weight:700;font-size:13px;letter-spacing:.02em}
table{border-collapse:collapse;background:#fff;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f1f3;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.t,td.num{white-space:nowrap}
.mono,pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#fff;border:1px solid #ddd;padding:8px;overflow:auto;max-height:480px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{font-weight:600;color:#444}dd{margin:0}
.timeline-wrap{overflow-x:auto;background:#fff;border:1px solid #ddd;padding:6px}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:#444;margin:6px 0}.legend span{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:16px;height:10px;border-radius:2px}
.wire td.text{max-width:720px;word-break:break-all}.wire tr.in td.dir{color:#1f5fbf}.wire tr.out td.dir{color:#2e7d32}
.wire tr.dropped{opacity:.55;text-decoration:line-through}
.losses li{color:#b3261e}
.filters{display:flex;flex-wrap:wrap;gap:16px;align-items:center;margin:12px 0;padding:8px 12px;background:#fff;border:1px solid #ddd}
.filters label{display:inline-flex;gap:4px;align-items:center;margin-right:6px}
#matrix td.cell{text-align:center;min-width:120px}#matrix td.cell a{color:inherit;font-weight:700;text-decoration:none;display:block}
.axes{display:flex;gap:2px;justify-content:center;margin-top:3px}.axes i{display:block;width:11px;height:11px;border:1px solid rgba(0,0,0,.35)}
.counts .badge{margin-right:6px}
tr.hidden{display:none}
${verdictRules}
`;
