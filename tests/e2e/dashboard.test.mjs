// Browser test of where findings show, against the real varn and its policy engine. An API
// token sets the scene: the administrator is also the IT centre's CISO (so the duty ITC-SYF-1,
// attested by the CISO, is theirs) and owns a system with no classified information (so
// ITC-SYS-… style system findings are theirs too). The administrator logs in; Översikt shows the
// policy's sections with their share met; Mina uppgifter lists the administrator's findings and
// links to the system; the duty is attested from the form with a statement, a reference and a
// file, and the finding turns ok. Every new page is checked for CSP violations and console
// errors and run through axe-core (WCAG 2.1 AA) in a context that bypasses the CSP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccessible, assertClean, firstLogin, heading, launchBrowser, login, menu, row, screenshot,
  startVarn, strictContext,
} from './lib.mjs';

const ADMIN_EMAIL = 'admin@itc.example';
const ADMIN_PASSWORD = 'korrekt-häst-batteri-häftklammer';
const varn = await startVarn({ VARN_ADMIN_EMAIL: ADMIN_EMAIL, VARN_ADMIN_PASSWORD: ADMIN_PASSWORD });

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

async function settled(p) {
  await p.waitForFunction(() => !document.querySelector('[aria-busy="true"], .loading'));
}

test('the scene: the administrator is the CISO and owns an unclassified system (API token)', async () => {
  token = varn.cli(['token', 'create', '--org', 'ITC', '--role', 'administrator', '--name', 'e2e']).trim().split(/\s+/).pop();
  const assigned = await call('GET', '/policies');
  assert.ok(assigned.items.some((p) => p.code === 'itcentrum' && p.organisations.includes('ITC')), 'ITC has the itcentrum policy');
  await call('POST', '/role-assignments', { user_id: 'admin', role: 'ciso', organisation: 'ITC' });
  await call('POST', '/role-assignments', { user_id: 'admin', role: 'system_owner', organisation: 'ITC' });
  await call('POST', '/systems', { external_id: 'SYS-DIARIE', name: 'Diariesystem', organisation: 'ITC', system_owner: 'admin' });
  const mine = await call('GET', '/findings?obligation=ITC-SYF-1&organisation=ITC');
  assert.equal(mine.items.length, 1, 'one finding for ITC-SYF-1 at ITC');
  assert.equal(mine.items[0].status, 'missing', 'not attested yet');
  assert.equal(mine.items[0].responsible, 'admin', 'the CISO is responsible');
});

test('Översikt shows the policy sections with the share met, and the trend', async () => {
  browser = await launchBrowser();
  ({ context, problems } = await strictContext(browser));
  page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  Object.assign(mfa, await firstLogin(page, 'admin', ADMIN_PASSWORD));
  await settled(page);
  const table = page.locator('table.sections');
  await table.waitFor();
  const syfte = table.locator('tbody tr', { hasText: 'Syfte' });
  assert.match(await syfte.locator('.share-text').textContent(), /\d+\s?%|inget bedömt/, 'a share as text');
  assert.match(await page.getByRole('img').filter({ has: page.locator('polyline, circle') }).first().getAttribute('aria-label') ?? '',
    /Andel uppfyllda krav/, 'the trend is described');
  await page.getByLabel('Visa för').selectOption('ITC');
  await settled(page);
  await table.locator('caption', { hasText: 'IT' }).waitFor();
  await screenshot(page, 'd1-dashboard');
  await assertClean(page, problems, 'dashboard');
});

test('Mina uppgifter lists the owner\'s findings and links to the system to fix', async () => {
  await menu(page, 'Mina uppgifter', 'Mina uppgifter');
  await settled(page);
  await row(page, 'Intyga ITC-SYF-1').waitFor();
  const sys = row(page, 'Diariesystem');
  await sys.first().waitFor();
  await screenshot(page, 'd2-my-tasks');
  await sys.first().getByRole('link', { name: 'Diariesystem' }).click();
  await heading(page, 'Diariesystem');
  await assertClean(page, problems, 'my tasks');
});

test('an attestation made from the form turns the finding ok', async () => {
  await menu(page, 'Mina uppgifter', 'Mina uppgifter');
  await settled(page);
  await row(page, 'Intyga ITC-SYF-1').getByRole('link', { name: 'Intyga ITC-SYF-1' }).click();
  await heading(page, 'Intyga ITC-SYF-1');
  await page.getByRole('button', { name: 'Intyga', exact: true }).click();
  await page.getByText('Fyll i det här fältet.').waitFor();
  await page.getByLabel('Intygande').fill('IT-nämnden har fastställt informationssäkerhetsarbetet för 2026.');
  await page.getByLabel('Underlag (diarienummer eller länk)').fill('ITN 2026/12');
  await page.getByLabel(/Bifogad fil/).setInputFiles({ name: 'protokoll.txt', mimeType: 'text/plain', buffer: Buffer.from('Protokoll ITN 2026-03-01') });
  await page.getByRole('button', { name: 'Intyga', exact: true }).click();
  await heading(page, 'Mina uppgifter');
  await page.getByText('ITC-SYF-1 är intygat.').waitFor();
  await settled(page);
  assert.equal(await row(page, 'Intyga ITC-SYF-1').count(), 0, 'no longer a task');
  const f = await call('GET', '/findings?obligation=ITC-SYF-1&organisation=ITC');
  assert.equal(f.items[0].status, 'ok', 'the finding is ok');
  const a = await call('GET', '/attestations?obligation=ITC-SYF-1');
  assert.equal(a.items[0].evidence_reference, 'ITN 2026/12');
  assert.deepEqual(a.items[0].evidence, { name: 'protokoll.txt', content_type: 'text/plain' });
  await assertClean(page, problems, 'attestation');
});

test('Policyer: every requirement with its standing, and a link to what fails it', async () => {
  await menu(page, 'Policyer', 'Policyer');
  await page.getByRole('link', { name: 'IT-säkerhetspolicy, IT-centrum' }).click();
  await heading(page, 'IT-säkerhetspolicy, IT-centrum');
  const req = page.locator('tr#krav-ITC-SYF-1');
  await req.waitFor();
  assert.match(await req.textContent(), /§ syfte/, 'the § id');
  await screenshot(page, 'd3-policy');
  await menu(page, 'Avvikelser', 'Avvikelser och krav');
  await settled(page);
  await page.getByLabel('Status').selectOption('overdue,missing,due_soon');
  await settled(page);
  await row(page, 'Diariesystem').first().waitFor();
  const csv = page.getByRole('link', { name: 'Exportera som CSV' });
  assert.match(await csv.getAttribute('href'), /format=csv/, 'the export link');
  await assertClean(page, problems, 'policies and findings');
});

test('axe-core finds no WCAG 2.1 AA violations on the new pages', async () => {
  const axeContext = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
  const p = await axeContext.newPage();
  await p.goto(varn.baseUrl + '/');
  await login(p, 'admin', ADMIN_PASSWORD, mfa.secret, mfa.step);
  const pages = [
    ['/', 'Översikt'],
    ['/mina-uppgifter', 'Mina uppgifter'],
    ['/avvikelser', 'Avvikelser och krav'],
    ['/policyer', 'Policyer'],
    ['/policyer/visa?kod=itcentrum', 'IT-säkerhetspolicy, IT-centrum'],
    ['/intyga?organisation=ITC&krav=ITC-SYF-2&profil=itcentrum', 'Intyga ITC-SYF-2'],
  ];
  for (const [url, title] of pages) {
    await p.goto(varn.baseUrl + url);
    await heading(p, title);
    await settled(p);
    await assertAccessible(p, url);
  }
  await p.getByRole('button', { name: 'Intyga', exact: true }).click();
  await p.getByText('Fyll i det här fältet.').waitFor();
  await assertAccessible(p, '/intyga with errors');
  await axeContext.close();
});
