// report.html is self-contained and renders its charts in a real browser without any network request (issue 7).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runScenario } from '../../core/cluster/index.js';
import { loadScenarioFile, resolveScenarioPath } from '../../scenarios/index.js';
import { writeRunOutputs } from '../../reports/index.js';

const CHROMIUM = '/usr/bin/chromium';

describe('report.html', () => {
  let reportPath = '';
  before(() => {
    const loaded = loadScenarioFile(resolveScenarioPath('etcd-leader-crash') ?? '');
    assert.ok(loaded.ok);
    if (!loaded.ok) return;
    const result = runScenario(loaded.scenario, { untilUs: 60_000_000 });
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-html-'));
    writeRunOutputs(dir, result, { version: 'test', wallSeconds: 0 });
    reportPath = join(dir, 'report.html');
  });

  it('references nothing outside the page', () => {
    const html = readFileSync(reportPath, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=/i);
    assert.doesNotMatch(html, /<link[^>]+href=/i);
    assert.doesNotMatch(html, /url\(\s*['"]?(https?:)?\/\//i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assert.match(html, /<svg/);
  });

  it('renders the charts in headless Chromium with no network request', async (t) => {
    if (!existsSync(CHROMIUM)) {
      t.skip(`${CHROMIUM} not found: install Debian's chromium package to run the report rendering test`);
      return;
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) requests.push(req.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
      assert.deepEqual(errors, [], 'no script errors');
      assert.deepEqual(requests, [], 'no network requests');
      const charts = await page.locator('figure.chart svg').count();
      assert.ok(charts >= 4, `charts: ${charts}`);
      // The script ran and counted drawn series and leader bars.
      const rendered = Number(await page.getAttribute('body', 'data-rendered'));
      assert.ok(rendered > 0);
      // The store leader lane shows at least two leaders (before and after the crash), the fault is shaded.
      assert.ok((await page.locator('rect.leader[data-lane="storeLeader"]').count()) >= 2);
      assert.equal(await page.locator('#chart-pods rect.fault').count(), 1);
      const box = await page.locator('#chart-store-term svg').boundingBox();
      assert.ok(box !== null && box.width > 300 && box.height > 50, 'chart has a visible size');
      const termPath = await page.locator('#chart-store-term path.series').getAttribute('d');
      assert.ok(termPath !== null && termPath.split('L').length > 30, 'term series drawn');
      assert.equal(await page.locator('#invariants tbody tr').count() > 0, true);
      await page.locator('#chart-pods svg').hover();
      assert.match((await page.locator('#readout').textContent()) ?? '', /t=\d+/);
    } finally {
      await browser.close();
    }
  });
});
