// The HTML report works offline and every figure renders in headless Chromium (Debian's
// chromium, installed by scripts/test-setup.sh).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'tape';
import { chromium } from 'playwright-core';
import { runSweep } from '../ts/experiment/sweep.js';
import { SweepStore } from '../ts/experiment/store.js';
import { sweepReportInput } from '../ts/experiment/sweep-report.js';
import { writeReport } from '../ts/plot/report.js';

const CHROMIUM = '/usr/bin/chromium';

test('rnnlab report: every figure renders in headless Chromium, with no network', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'rnnlab-report-')), 'out');
  await runSweep({ name: 'report-test', fixed: { task: 'romo', rule: 'bptt', iters: 40, hidden: 8, batch: 4, evalBatch: 8, logEvery: 10 }, axes: { gain: [0.5, 1.5], seed: [1, 2] } }, dir, { workers: 2 });
  const input = sweepReportInput(SweepStore.load(dir));
  const path = await writeReport(dir, input);
  const html = readFileSync(path, 'utf8');
  t.notOk(/(src|href)="https?:/.test(html), 'no external resources');
  for (const f of input.figures) t.ok(existsSync(join(dir, 'figures', `${f.id}.png`)), `figures/${f.id}.png written`);
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (scripts/test-setup.sh installs it as root)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(path).href);
    const figures = await page.$$eval('figure.rnnlab-figure', (nodes) =>
      nodes.map((n) => {
        const svg = n.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { id: n.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg ? svg.querySelectorAll('path').length : 0 };
      }),
    );
    t.equal(figures.length, input.figures.length, `${figures.length} figure(s) in the page`);
    for (const f of figures) t.ok(f.width > 100 && f.height > 100 && f.marks > 5, `${f.id} rendered ${Math.round(f.width)}x${Math.round(f.height)} px with ${f.marks} marks`);
    t.deepEqual(requests, [], 'the page made no network request');
    t.ok(await page.$('text=Provenance'), 'provenance section present');
  } finally {
    await browser.close();
  }
  t.end();
});
