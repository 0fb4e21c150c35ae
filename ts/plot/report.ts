/**
 * The HTML report of a sweep: every figure inline as SVG (so it works offline, with no script
 * and no network), the settings, and provenance (version, machine, date, duration). The
 * figures are also written as .svg, .png and .vl.json (the Vega-Lite spec) next to it.
 * @module
 */
import { cpus, hostname, totalmem } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import { blasInfo } from '../native.js';
import { VERSION } from '../version.js';
import type { Figure } from './figures.js';
import { renderSvg, svgToPng } from './render.js';

export interface ReportSection {
  heading: string;
  /** Plain text paragraphs (escaped). */
  paragraphs?: string[];
  /** A table: first row is the header. */
  table?: string[][];
  /** Preformatted text (escaped), e.g. a settings file. */
  pre?: string;
}

export interface ReportInput {
  title: string;
  /** Sections before the figures (summary, verdicts). */
  sections: ReportSection[];
  figures: Figure[];
  /** Settings shown verbatim (e.g. the sweep spec). */
  settings: unknown;
  /** Seconds of compute (sum of run wall times) and of elapsed time, if known. */
  computeSeconds?: number;
  elapsedSeconds?: number;
  /** First and last run start, ISO dates. */
  period?: [string, string];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tableHtml(rows: string[][]): string {
  const [head, ...body] = rows;
  return `<table><thead><tr>${head!.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${body
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Provenance rows: version, machine, date, duration. */
export function provenance(input: Pick<ReportInput, 'computeSeconds' | 'elapsedSeconds' | 'period'>): string[][] {
  const cpu = cpus();
  const blas = blasInfo();
  const rows = [
    ['item', 'value'],
    ['rnnlab', VERSION],
    ['machine', `${hostname()}: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`],
    ['Node', process.version],
    ['OpenBLAS', `${blas.corename} kernels, ${blas.config}`],
    ['report written', new Date().toISOString()],
  ];
  if (input.period) rows.push(['runs started', `${input.period[0]} to ${input.period[1]}`]);
  if (input.computeSeconds !== undefined) rows.push(['compute time (sum over runs)', `${input.computeSeconds.toFixed(1)} s`]);
  if (input.elapsedSeconds !== undefined) rows.push(['wall time', `${input.elapsedSeconds.toFixed(1)} s`]);
  return rows;
}

/**
 * Renders every figure, writes `figures/<id>.{svg,png,vl.json}` and `report.html` into `dir`
 * (replacing earlier report files there), and returns the path of the report.
 */
export async function writeReport(dir: string, input: ReportInput): Promise<string> {
  const figDir = join(dir, 'figures');
  mkdirSync(figDir, { recursive: true });
  const rendered: { figure: Figure; svg: string }[] = [];
  for (const figure of input.figures) {
    const svg = await renderSvg(figure.spec);
    writeFileAtomic(join(figDir, `${figure.id}.svg`), svg, { overwrite: true });
    writeFileAtomic(join(figDir, `${figure.id}.png`), svgToPng(svg), { overwrite: true });
    writeFileAtomic(join(figDir, `${figure.id}.vl.json`), `${JSON.stringify(figure.spec, null, 1)}\n`, { overwrite: true });
    rendered.push({ figure, svg });
  }
  const sections = input.sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.heading)}</h2>${(s.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${s.table ? tableHtml(s.table) : ''}${
          s.pre ? `<pre>${escapeHtml(s.pre)}</pre>` : ''
        }</section>`,
    )
    .join('\n');
  const figures = rendered
    .map(
      ({ figure, svg }) =>
        `<figure class="rnnlab-figure" id="fig-${escapeHtml(figure.id)}">${svg}<figcaption><b>${escapeHtml(figure.title)}.</b> ${escapeHtml(figure.caption)} ` +
        `(<a href="figures/${escapeHtml(figure.id)}.png">PNG</a>, <a href="figures/${escapeHtml(figure.id)}.vl.json">Vega-Lite spec</a>)</figcaption></figure>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body { font-family: 'DejaVu Sans', sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
figure { margin: 2em 0; } figcaption { max-width: 900px; font-size: 0.9em; } pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
${sections}
<section><h2>Figures</h2>
${figures}
</section>
<section><h2>Settings</h2><pre>${escapeHtml(JSON.stringify(input.settings, null, 2))}</pre></section>
<section><h2>Provenance</h2>${tableHtml(provenance(input))}</section>
</body></html>
`;
  const path = join(dir, 'report.html');
  writeFileAtomic(path, html, { overwrite: true });
  return path;
}
