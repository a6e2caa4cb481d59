/** HTML: a self-contained page per scenario and the filterable index matrix. */
import { indexPage } from '../render/html-index-page.ts';
import { scenarioPage } from '../render/html-scenario-page.ts';
import { relativeLink } from '../report-paths.ts';
import type { OutputFile, ReportEntry, Reporter, RunContext } from './reporter.ts';

export const htmlReporter: Reporter = {
  format: 'html',
  onScenario(entry: ReportEntry): OutputFile[] {
    const page = entry.files.html;
    if (!page) return [];
    const json = entry.files.json ? relativeLink(page, entry.files.json) : null;
    return [{ path: page, content: scenarioPage(entry.report, { index: relativeLink(page, 'index.html'), json }) }];
  },
  onRunEnd(entries: readonly ReportEntry[], run: RunContext): OutputFile[] {
    return [{ path: 'index.html', content: indexPage(entries, run) }];
  },
};
