// Browser test of the import page (/importera) and the kravlista download against the real varn.
// An API token sets the scene (a municipality and a system owner); the administrator logs in with
// two-step verification, finds "Importera" in the menu, uploads a systems CSV and sees the upload
// progress, "Kontrollerar …" and the counts; uploads a bad file and sees a table of every problem
// (rad, kolumn, fel) with nothing imported; and the system page offers the kravlista as CSV and
// Excel. No CSP violations or console errors; axe-core finds no WCAG 2.1 AA violations on the
// page, before and with the table of problems.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccessible, assertClean, firstLogin, heading, launchBrowser, login, menu, screenshot, startVarn,
  strictContext,
} from './lib.mjs';

const ADMIN_PASSWORD = 'korrekt-häst-batteri-häftklammer';
const varn = await startVarn({ VARN_ADMIN_EMAIL: 'admin@itc.example', VARN_ADMIN_PASSWORD: ADMIN_PASSWORD });

let browser, context, problems, page;
const mfa = { secret: '', step: 0 };
let token = '';

after(async () => {
  if (browser) await browser.close();
  await varn.stop();
});

async function call(method, path, body) {
  const res = await fetch(varn.baseUrl + '/api/v1' + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const HEADER = 'external_id;name;organisation;system_owner;lifecycle;internet_facing;mfa_enforced;last_significant_change\n';
// Two systems, then blank rows (skipped) so that the file takes a moment to send and check.
const GOOD = HEADER + 'UP-1;Ärendesystem;NORRBY;sara;production;ja;nej;2026-01-01\n'
  + 'UP-2;Nytt e-arkiv;NORRBY;sara;planned;nej;nej;\n' + ';;;;;;;\n'.repeat(400000);
const BAD = HEADER + 'UP-3;;NORRBY;sara;production;;;\n'
  + 'UP-4;Fyra;NOWHERE;sara;production;;;\n'
  + 'UP-5;Fem;NORRBY;sara;sometimes;;;\n';

/** Every text the progress label showed, recorded in the page as it changes. */
async function watchProgress(p) {
  await p.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const label = document.querySelector('label[for="import-progress"]');
      const bar = document.querySelector('progress#import-progress');
      if (label && bar) {
        const text = label.textContent.trim();
        if (window.__progress.at(-1) !== text) window.__progress.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function upload(p, kind, name, content) {
  await p.getByLabel('Vad vill du importera?').selectOption({ label: kind });
  await p.getByLabel('CSV-fil').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
  await p.getByRole('button', { name: 'Importera', exact: true }).click();
}

test('the scene: a municipality and a system owner (API token)', async () => {
  token = varn.cli(['token', 'create', '--org', 'ITC', '--role', 'administrator', '--name', 'e2e']).trim().split(/\s+/).pop();
  await call('POST', '/organisations', { code: 'NORRBY', name: 'Norrby kommun', kind: 'municipality', parent_code: 'ITC', org_number: '212000-2411' });
  await call('POST', '/people', { user_id: 'sara', name: 'Sara Systemägare', email: 'sara@norrby.example', organisation: 'NORRBY' });
  await call('POST', '/role-assignments', { user_id: 'sara', role: 'system_owner', organisation: 'NORRBY' });
});

test('the administrator finds Importera in the menu; the page offers example files', async () => {
  browser = await launchBrowser();
  ({ context, problems } = await strictContext(browser));
  page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  Object.assign(mfa, await firstLogin(page, 'admin', ADMIN_PASSWORD));
  await menu(page, 'Importera', 'Importera');
  await page.getByLabel('Vad vill du importera?').selectOption({ label: 'System' });
  const example = page.getByRole('link', { name: 'Ladda ner en exempelfil (System)' });
  assert.equal(await example.getAttribute('href'), '/exempel/systems.csv');
  const res = await page.request.get(varn.baseUrl + '/exempel/systems.csv');
  assert.equal(res.status(), 200);
  assert.match(await res.text(), /^external_id,name,organisation,system_owner/);
  await assertClean(page, problems, '/importera');
  await screenshot(page, 'u1-import');
});

test('a good file: upload progress, "Kontrollerar …", then the counts', async () => {
  await watchProgress(page);
  await upload(page, 'System', 'system.csv', GOOD);
  await page.getByRole('heading', { level: 2, name: 'Importen är klar' }).waitFor({ timeout: 60000 });
  const seen = await page.evaluate(() => window.__progress);
  assert.ok(seen.some((s) => /^Skickar filen … \d+ %$/.test(s)), `the progress bar's label while sending: ${JSON.stringify(seen)}`);
  assert.ok(seen.includes('Kontrollerar …'), `"Kontrollerar …" after sending: ${JSON.stringify(seen)}`);
  const counts = await page.locator('dl.import-counts').locator('dt, dd').allTextContents();
  assert.deepEqual(counts, ['Rader', '2', 'Nya', '2', 'Ändrade', '0', 'Oförändrade', '0']);
  const sys = await call('GET', '/systems/UP-1');
  assert.equal(sys.name, 'Ärendesystem');
  await assertClean(page, problems, 'after the import');
  await screenshot(page, 'u2-import-done');
});

test('a bad file: a table of every problem with line and column, nothing imported', async () => {
  await upload(page, 'System', 'fel.csv', BAD);
  await page.getByRole('heading', { level: 2, name: 'Ingenting importerades: filen har 3 fel' }).waitFor();
  const headers = await page.locator('table thead th').allTextContents();
  assert.deepEqual(headers, ['Rad', 'Kolumn', 'Fel']);
  const rows = await page.locator('table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  assert.deepEqual(rows.map((r) => r.slice(0, 2)), [['2', 'name'], ['3', 'organisation'], ['4', 'lifecycle']]);
  assert.equal(rows[0][2], 'empty; a value is required');
  const res = await fetch(varn.baseUrl + '/api/v1/systems/UP-3', { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(res.status, 404, 'nothing was imported');
  await assertClean(page, problems, 'after the refused import');
  await screenshot(page, 'u3-import-problems');
});

test('the system page offers the kravlista as CSV and Excel', async () => {
  await page.goto(varn.baseUrl + '/system/visa?id=UP-2');
  await heading(page, 'Nytt e-arkiv');
  const csv = page.getByRole('link', { name: 'Ladda ner kravlistan (CSV)' });
  assert.equal(await csv.getAttribute('href'), '/api/v1/systems/UP-2/requirements?format=csv');
  const xlsx = page.getByRole('link', { name: 'Ladda ner kravlistan (Excel)' });
  assert.equal(await xlsx.getAttribute('href'), '/api/v1/systems/UP-2/requirements?format=xlsx');
  const res = await page.request.get(varn.baseUrl + '/api/v1/systems/UP-2/requirements?format=csv');
  assert.equal(res.status(), 200);
  assert.match((await res.body()).toString('utf8'), /^\uFEFFKrav;Aspekt;Nivå;Uppfyllt;Kod\r?\n/);
  await assertClean(page, problems, '/system/visa with the kravlista');
});

test('the import page has no WCAG 2.1 AA violations (axe-core), also with the problems shown', async () => {
  const axeContext = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
  const p = await axeContext.newPage();
  await p.goto(varn.baseUrl + '/');
  await login(p, 'admin', ADMIN_PASSWORD, mfa.secret, mfa.step);
  await p.goto(varn.baseUrl + '/importera');
  await heading(p, 'Importera');
  await assertAccessible(p, '/importera');
  await p.getByRole('button', { name: 'Importera', exact: true }).click();
  await p.getByText('Välj en fil att importera.').first().waitFor();
  await assertAccessible(p, '/importera without a file');
  await upload(p, 'System', 'fel.csv', BAD);
  await p.getByRole('heading', { level: 2, name: 'Ingenting importerades: filen har 3 fel' }).waitFor();
  await assertAccessible(p, '/importera with problems');
  await upload(p, 'System', 'system.csv', HEADER + 'UP-6;Sex;NORRBY;sara;production;;;\n');
  await p.getByRole('heading', { level: 2, name: 'Importen är klar' }).waitFor();
  await assertAccessible(p, '/importera done');
  await axeContext.close();
});
