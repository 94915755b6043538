// Browser test: the start page renders in Debian's Chromium under the server's strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = process.env.VARN_SOURCE_ROOT;
const bin = process.env.VARN_BIN;
const chromiumPath = '/usr/bin/chromium';
const require = createRequire(path.join(root, 'web', 'package.json'));

let server, browser, baseUrl, dir;

async function startServer() {
  dir = mkdtempSync(path.join(tmpdir(), 'varn-e2e-'));
  const db = path.join(dir, 'varn.db');
  execFileSync(bin, ['--db', db, 'init']);
  server = spawn(bin, ['--db', db, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + log)), 10000);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/"msg":"listening".*?"port":(\d+)/);
      if (m && !baseUrl) {
        clearTimeout(timer);
        baseUrl = `http://127.0.0.1:${m[1]}`;
        resolve();
      }
    });
  });
}

before(async () => {
  await startServer();
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the start page shows what Värn is, in Swedish, without CSP violations', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('requestfailed', (req) => problems.push('failed: ' + req.url()));
  const response = await page.goto(baseUrl + '/');
  assert.equal(response.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  assert.equal(await page.textContent('h1'), 'Värn');
  assert.match(await page.textContent('main'), /Vad är Värn\?/);
  // The stylesheet applied (a CSP that blocked it would leave the default colour).
  const colour = await page.$eval('h1', (el) => getComputedStyle(el).color);
  assert.equal(colour, 'rgb(31, 95, 139)');
  if (process.env.VARN_SCREENSHOT_DIR && existsSync(process.env.VARN_SCREENSHOT_DIR)) {
    await page.screenshot({ path: path.join(process.env.VARN_SCREENSHOT_DIR, 'start-page.png') });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the link to the API description leads to the OpenAPI document', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(baseUrl + '/');
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('text=API-beskrivning (OpenAPI 3.1)'),
  ]);
  assert.equal(response.status(), 200);
  const doc = JSON.parse(await response.text());
  assert.match(doc.openapi, /^3\.1/);
  assert.ok(doc.paths['/healthz']);
  await context.close();
});

test('a deep link into the UI falls back to the start page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(baseUrl + '/oversikt/kommuner');
  assert.equal(response.status(), 200);
  assert.equal(await page.textContent('h1'), 'Värn');
  await context.close();
});
