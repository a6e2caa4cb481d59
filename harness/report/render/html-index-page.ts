/**
 * The run's index page, after Autobahn's index.html: the colour-coded matrix of scenarios
 * (rows) by systems under test (columns), filterable by verdict and group with a few lines
 * of inline script, each cell linking to its scenario page.
 */
import { AXES, VERDICTS } from '../../judge/verdict.ts';
import type { ReportEntry, RunContext } from '../reporters/reporter.ts';
import { escapeHtml as esc } from './escape.ts';
import { cssName, HTML_STYLES } from './html-styles.ts';
import { countVerdicts, oneSentenceReason, VERDICT_STYLE } from './verdicts.ts';

export function indexPage(entries: readonly ReportEntry[], run: RunContext): string {
  const suts = [...new Set(entries.map((e) => e.report.sut.id))];
  const scenarios = [...new Map(entries.map((e) => [e.report.scenario, e.report])).values()];
  const byKey = new Map(entries.map((e) => [`${e.report.sut.id}\u0000${e.report.scenario}`, e]));
  const groups = [...new Set(scenarios.map((s) => s.group))].sort();
  const counts = countVerdicts(entries.map((e) => e.report));
  const failed = entries.filter((e) => !e.report.verdict.passed).length;

  const rows = scenarios.map((s) => {
    const cells = suts.map((sut) => {
      const e = byKey.get(`${sut}\u0000${s.scenario}`);
      if (!e) return '<td class="cell missing">—</td>';
      const v = e.report.verdict;
      const axes = AXES.map((a) => `<i class="v-${cssName(v.axes[a].verdict)}" title="${esc(`${a}: ${v.axes[a].verdict}`)}"></i>`).join('');
      const label = e.files.html ? `<a href="${esc(e.files.html)}">${esc(v.overall)}</a>` : esc(v.overall);
      return `<td class="cell v-${cssName(v.overall)}" data-verdict="${esc(v.overall)}" data-sut="${esc(sut)}" title="${esc(oneSentenceReason(e.report))}">${label}<div class="axes">${axes}</div></td>`;
    });
    const verdicts = [...new Set(suts.map((sut) => byKey.get(`${sut}\u0000${s.scenario}`)?.report.verdict.overall).filter(Boolean))].join(' ');
    return `<tr data-scenario="${esc(s.scenario)}" data-group="${esc(s.group)}" data-verdicts="${esc(verdicts)}"><td><b>${esc(s.scenario)}</b><br><small>${esc(s.title)}</small></td><td>${esc(s.group)}</td><td>${esc(s.severity)}</td>${cells.join('')}</tr>`;
  });

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>resume-harness · ${esc(run.runId)}</title><style>${HTML_STYLES}</style></head>
<body>
<h1>resume-harness — ${failed === 0 ? 'all passed' : `${failed} of ${entries.length} failed`}</h1>
<p class="meta">run ${esc(run.runId)} · seed ${run.seed} · ${esc(run.mode)}${run.mode === 'network' ? ` ×${run.timeScale}` : ''} · ${run.strict ? 'strict' : 'not strict'} · ${suts.length} system${suts.length === 1 ? '' : 's'} under test · ${scenarios.length} scenarios</p>
<p class="counts">${VERDICTS.map((v) => `<span class="badge v-${cssName(v)}" data-count="${v}">${esc(v)} ${counts[v]}</span>`).join('')}</p>
<form class="filters" id="filters" onsubmit="return false">
<span>Verdict: ${VERDICTS.map((v) => `<label><input type="checkbox" name="verdict" value="${esc(v)}" checked> ${esc(v)}</label>`).join('')}</span>
<label>Group: <select name="group" id="group"><option value="">all</option>${groups.map((g) => `<option value="${esc(g)}">${esc(g)}</option>`).join('')}</select></label>
<span id="shown">${scenarios.length} of ${scenarios.length} scenarios shown</span>
</form>
<table id="matrix"><thead><tr><th>Scenario</th><th>Group</th><th>Severity</th>${suts.map((s) => `<th>${esc(s)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="meta">Cells link to each scenario's page; the small squares are the axes ${AXES.join(', ')}. Colours: ${VERDICTS.map((v) => `${v} ${VERDICT_STYLE[v].colour}`).join(', ')}.</p>
<script>
// A row shows when its group is selected and one of its verdicts is ticked.
(function () {
  var form = document.getElementById('filters');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#matrix tbody tr'));
  function apply() {
    var ticked = Array.prototype.slice.call(form.querySelectorAll('input[name=verdict]:checked')).map(function (i) { return i.value; });
    var group = document.getElementById('group').value;
    var shown = 0;
    rows.forEach(function (row) {
      var verdicts = row.getAttribute('data-verdicts').split(' ');
      var visible = (!group || row.getAttribute('data-group') === group) && verdicts.some(function (v) { return ticked.indexOf(v) >= 0; });
      row.classList.toggle('hidden', !visible);
      if (visible) shown++;
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' scenarios shown';
  }
  form.addEventListener('change', apply);
  apply();
})();
</script>
</body></html>
`;
}
