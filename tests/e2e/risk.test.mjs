// Browser test of the risk pages against the real varn. An API token sets the scene: the
// administrator is also system owner at the IT centre and owns Lönesystem. The administrator
// logs in, opens Risker from the menu, is told in Swedish which field is missing, creates an
// assessment of Lönesystem, marks their participation, adds a risk rated Stor × Betydande, sees
// it counted in that cell of the heat map (the SVG and the table), adds and completes a measure,
// accepts the risk and sees the expiry, approves the assessment and finds the risk in the
// register with its export links; the system's page lists the assessment and offers a new one
// for the system. A supplier contact sees no Risker in the menu. Every page is checked for CSP
// violations and console errors, and run through axe-core (WCAG 2.1 AA) in a context that
// bypasses the CSP.
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
let assessmentUrl = '';
let riskUrl = '';

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

test('the scene: the administrator owns Lönesystem at the IT centre (API token)', async () => {
  token = varn.cli(['token', 'create', '--org', 'ITC', '--role', 'administrator', '--name', 'e2e']).trim().split(/\s+/).pop();
  await call('POST', '/role-assignments', { user_id: 'admin', role: 'system_owner', organisation: 'ITC' });
  await call('POST', '/systems', { external_id: 'SYS-LON', name: 'Lönesystem', organisation: 'ITC', system_owner: 'admin' });
  const matrix = await call('GET', '/organisations/ITC/risk-matrix');
  assert.deepEqual(matrix.likelihood_names, ['Mycket liten', 'Liten', 'Stor', 'Mycket stor']);
  assert.deepEqual(matrix.consequence_names, ['Försumbar', 'Måttlig', 'Betydande', 'Allvarlig']);
});

test('Risker: a new assessment, with Swedish messages naming the missing fields', async () => {
  browser = await launchBrowser();
  ({ context, problems } = await strictContext(browser));
  page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  Object.assign(mfa, await firstLogin(page, 'admin', ADMIN_PASSWORD));
  await menu(page, 'Risker', 'Riskbedömningar');
  await settled(page);
  await page.getByText('Det finns inga riskbedömningar ännu.').waitFor();
  assert.match(await page.getByRole('link', { name: 'Exportera som CSV' }).getAttribute('href'), /risk-assessments.*format=csv/);
  assert.match(await page.getByRole('link', { name: 'Exportera som Excel (XLSX)' }).getAttribute('href'), /format=xlsx/);

  await page.getByRole('link', { name: 'Ny riskbedömning' }).click();
  await heading(page, 'Ny riskbedömning');
  await page.getByLabel('Organisation').selectOption('ITC');
  await page.getByRole('button', { name: 'Skapa riskbedömningen' }).click();
  await page.getByText('Fyll i fältet Titel.').waitFor();
  await page.getByText('Välj exakt ett system i fältet System när omfattningen är ett system.').waitFor();
  assert.equal(await page.getByLabel('Titel').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ra-title', 'the first wrong field has focus');

  await page.getByLabel('Titel').fill('Årlig riskbedömning av Lönesystem');
  await page.getByLabel('Lönesystem').check();
  await page.getByLabel('Anledning').selectOption('yearly');
  await page.getByLabel(/Metod/).fill('Workshop enligt MSB:s metodstöd');
  await page.getByRole('button', { name: 'Skapa riskbedömningen' }).click();
  await heading(page, 'Årlig riskbedömning av Lönesystem');
  await page.getByText('Riskbedömningen Årlig riskbedömning av Lönesystem är skapad.').waitFor();
  assessmentUrl = new URL(page.url()).pathname + new URL(page.url()).search;
  await settled(page);
  await screenshot(page, 'r1-assessment');
  await assertClean(page, problems, 'new assessment');
});

test('the system owner is invited and marked as having taken part', async () => {
  const participants = page.locator('section', { has: page.getByRole('heading', { name: 'Deltagare' }) });
  const admin = participants.locator('tbody tr', { hasText: 'admin' });
  await admin.waitFor();
  assert.match(await admin.textContent(), /Systemägare/);
  await admin.getByRole('button', { name: /^Markera som deltagit/ }).click();
  await admin.getByRole('button').waitFor({ state: 'detached' });
  const a = await call('GET', '/risk-assessments?q=' + encodeURIComponent('Lönesystem'));
  assert.equal(a.items.length, 1);
  await assertClean(page, problems, 'participation');
});

test('a risk rated Stor × Betydande by the matrix\'s Swedish names', async () => {
  await page.getByRole('link', { name: 'Lägg till risk' }).click();
  await heading(page, 'Ny risk');
  await settled(page);
  const likelihood = page.getByLabel('Sannolikhet före åtgärder');
  const names = await likelihood.locator('option').allTextContents();
  assert.deepEqual(names.slice(1), ['1 – Mycket liten', '2 – Liten', '3 – Stor', '4 – Mycket stor']);
  await page.getByRole('button', { name: 'Lägg till risken' }).click();
  await page.getByText('Fyll i fältet Titel.').waitFor();
  await page.getByText('Välj ett värde i fältet Sannolikhet före åtgärder.').waitFor();

  await page.getByLabel('Titel').fill('Utpressningsprogram krypterar lönedata');
  await page.getByLabel(/^Hot/).fill('Utpressningsprogram');
  await page.getByLabel(/^Sårbarhet/).fill('Säkerhetskopior nås från samma nät');
  assert.ok(await page.getByLabel('Lönesystem').isChecked(), 'the assessed system is preselected');
  await likelihood.selectOption({ label: '3 – Stor' });
  await page.getByLabel('Konsekvens före åtgärder').selectOption({ label: '3 – Betydande' });
  await page.getByText(/Riskvärde 9/).waitFor();
  await page.getByLabel(/Sannolikhet efter åtgärder/).selectOption({ label: '2 – Liten' });
  await page.getByLabel(/Konsekvens efter åtgärder/).selectOption({ label: '3 – Betydande' });
  await page.getByLabel(/Behandling/).selectOption('reduce');
  await page.getByLabel('Riskägare').fill('admin');
  await page.getByRole('button', { name: 'Lägg till risken' }).click();
  await heading(page, 'Årlig riskbedömning av Lönesystem');
  await page.getByText('Risken Utpressningsprogram krypterar lönedata är tillagd.').waitFor();
  await settled(page);
  const risk = row(page, 'Utpressningsprogram krypterar lönedata');
  await risk.waitFor();
  assert.match(await risk.textContent(), /9/);
  await screenshot(page, 'r2-risk-added');
  await assertClean(page, problems, 'risk');
});

test('Värmekarta counts the risk in the cell Stor × Betydande, in the SVG and the table', async () => {
  await menu(page, 'Risker', 'Riskbedömningar');
  await page.getByRole('navigation', { name: 'Riskhantering' }).getByRole('link', { name: 'Värmekarta' }).click();
  await heading(page, 'Värmekarta');
  await settled(page);
  const inherent = page.locator('#hm-inherent-chart');
  await inherent.waitFor();
  assert.equal(await inherent.getAttribute('role'), 'img');
  assert.match(await inherent.getAttribute('aria-label'), /sannolikhet Stor, konsekvens Betydande: 1/);
  assert.equal((await inherent.locator('g[data-likelihood="3"][data-consequence="3"] text').textContent()).trim(), '1');
  assert.equal((await inherent.locator('g[data-likelihood="2"][data-consequence="3"] text').textContent()).trim(), '0');
  const axes = await inherent.locator('text.heatmap-axis').allTextContents();
  for (const name of ['Mycket liten', 'Liten', 'Stor', 'Mycket stor', 'Försumbar', 'Måttlig', 'Betydande', 'Allvarlig']) {
    assert.ok(axes.includes(name), `axis label ${name}`);
  }
  const table = page.locator('#hm-inherent-table');
  const cell = table.locator('tbody tr', { has: page.locator('th', { hasText: /^Stor$/ }) }).locator('td[data-consequence="3"]');
  assert.match(await cell.textContent(), /^1\b/);
  const residual = page.locator('#hm-residual-chart');
  assert.equal((await residual.locator('g[data-likelihood="2"][data-consequence="3"] text').textContent()).trim(), '1');
  assert.equal((await residual.locator('g[data-likelihood="3"][data-consequence="3"] text').textContent()).trim(), '0');

  await page.getByLabel('System', { exact: true }).selectOption('SYS-LON');
  await settled(page);
  assert.equal((await inherent.locator('g[data-likelihood="3"][data-consequence="3"] text').textContent()).trim(), '1');
  await page.getByLabel('Visa', { exact: true }).selectOption('residual');
  await page.locator('#hm-inherent-chart').waitFor({ state: 'detached' });
  await screenshot(page, 'r3-heat-map');
  await assertClean(page, problems, 'heat map');
});

test('a measure added and completed, the risk accepted with its expiry shown', async () => {
  await page.goto(varn.baseUrl + assessmentUrl);
  await heading(page, 'Årlig riskbedömning av Lönesystem');
  await settled(page);
  await row(page, 'Utpressningsprogram krypterar lönedata').getByRole('link').click();
  await heading(page, 'Risk: Utpressningsprogram krypterar lönedata');
  await settled(page);
  riskUrl = new URL(page.url()).pathname + new URL(page.url()).search;
  await page.getByRole('button', { name: 'Lägg till åtgärden' }).click();
  await page.getByText('Fyll i fältet Åtgärd.').waitFor();
  await page.getByLabel('Åtgärd', { exact: true }).fill('Säkerhetskopior i eget nät');
  await page.getByLabel('Ansvarig').fill('admin');
  await page.getByLabel('Klar senast').fill('2027-03-31');
  await page.getByRole('button', { name: 'Lägg till åtgärden' }).click();
  const measure = row(page, 'Säkerhetskopior i eget nät');
  await measure.waitFor();
  assert.match(await measure.textContent(), /Planerad/);
  await measure.getByRole('button', { name: /^Markera som klar/ }).click();
  await measure.getByText('Klar', { exact: true }).waitFor();

  assert.match(await page.locator('#risk-accept-hint').textContent(), /gäller till och med \d{4}-\d{2}-\d{2}/);
  await page.getByRole('button', { name: 'Acceptera risken' }).click();
  await page.getByText(/^Accepterad av .* Acceptansen gäller till och med \d{4}-\d{2}-\d{2}\./).waitFor();
  await screenshot(page, 'r4-risk');
  await assertClean(page, problems, 'measures and acceptance');
});

test('the assessment approved; the risk in Riskregister with filters and exports', async () => {
  await page.goto(varn.baseUrl + assessmentUrl);
  await heading(page, 'Årlig riskbedömning av Lönesystem');
  await settled(page);
  await page.getByRole('button', { name: 'Godkänn riskbedömningen' }).click();
  await page.locator('.facts .status', { hasText: 'Godkänd' }).waitFor();

  await page.getByRole('navigation', { name: 'Riskhantering' }).getByRole('link', { name: 'Riskregister' }).click();
  await heading(page, 'Riskregister');
  await settled(page);
  const risk = row(page, 'Utpressningsprogram krypterar lönedata');
  await risk.waitFor();
  assert.match(await risk.textContent(), /Reducera/);
  await page.getByLabel('Behandling', { exact: true }).selectOption('avoid');
  await settled(page);
  await page.getByText('Inga risker matchar.').waitFor();
  await page.getByLabel('Behandling', { exact: true }).selectOption('reduce');
  await settled(page);
  await risk.waitFor();
  // The level is the band of the residual score when there is one (2 × 3 = 6, Medel); the
  // levels are an organisation's, so the filter waits for one.
  assert.ok(await page.getByLabel('Nivå', { exact: true }).isDisabled(), 'no level without an organisation');
  await page.getByLabel('Organisation', { exact: true }).selectOption('ITC');
  await settled(page);
  await page.getByLabel('Nivå', { exact: true }).selectOption('Hög');
  await settled(page);
  await page.getByText('Inga risker matchar.').waitFor();
  await page.getByLabel('Nivå', { exact: true }).selectOption('Medel');
  await settled(page);
  await risk.waitFor();
  assert.match(await page.getByRole('link', { name: 'Exportera som CSV' }).getAttribute('href'), /\/api\/v1\/risks\?.*organisation=ITC.*treatment=reduce.*band=Medel.*format=csv/);
  assert.match(await page.getByRole('link', { name: 'Exportera som Excel (XLSX)' }).getAttribute('href'), /format=xlsx/);

  // The system's page lists its assessment and offers a new one for the system.
  await page.goto(varn.baseUrl + '/system/visa?id=SYS-LON');
  await heading(page, 'Lönesystem');
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Riskbedömningar' }) });
  await section.getByRole('link', { name: 'Årlig riskbedömning av Lönesystem' }).waitFor();
  await section.getByRole('link', { name: 'Ny riskbedömning av systemet' }).click();
  await heading(page, 'Ny riskbedömning');
  await settled(page);
  assert.ok(await page.getByLabel('Lönesystem').isChecked(), 'the system is chosen');
  await assertClean(page, problems, 'register and system page');
});

test('a supplier contact has no Risker in the menu', async () => {
  const password = varn.cli(['user', 'add', 'lev', '--name', 'Lev Kontakt', '--email', 'lev@lev.example', '--org', 'ITC',
    '--role', 'supplier_contact']).trim().split('\n').pop().trim();
  const other = await strictContext(browser);
  const p = await other.context.newPage();
  await p.goto(varn.baseUrl + '/');
  await firstLogin(p, 'lev', password);
  const nav = p.getByRole('navigation', { name: 'Huvudmeny' });
  await nav.getByRole('link', { name: 'Översikt', exact: true }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Risker', exact: true }).count(), 0, 'no Risker link');
  await assertClean(p, other.problems, 'supplier contact');
  await other.context.close();
});

test('axe-core finds no WCAG 2.1 AA violations on the risk pages', async () => {
  const axeContext = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
  const p = await axeContext.newPage();
  await p.goto(varn.baseUrl + '/');
  await login(p, 'admin', ADMIN_PASSWORD, mfa.secret, mfa.step);
  const pages = [
    ['/risker', 'Riskbedömningar'],
    ['/risker/bedomningar/ny', 'Ny riskbedömning'],
    [assessmentUrl, 'Årlig riskbedömning av Lönesystem'],
    [riskUrl, 'Risk: Utpressningsprogram krypterar lönedata'],
    ['/risker/register', 'Riskregister'],
    ['/risker/varmekarta', 'Värmekarta'],
  ];
  for (const [url, title] of pages) {
    await p.goto(varn.baseUrl + url);
    await heading(p, title);
    await settled(p);
    await assertAccessible(p, url);
  }
  // The heat map's tables, opened; the form with its errors shown.
  await p.goto(varn.baseUrl + '/risker/varmekarta');
  await heading(p, 'Värmekarta');
  await settled(p);
  for (const summary of await p.locator('.heatmap-table summary').all()) await summary.click();
  await assertAccessible(p, 'heat map tables');
  await p.goto(varn.baseUrl + '/risker/bedomningar/ny');
  await heading(p, 'Ny riskbedömning');
  await p.getByRole('button', { name: 'Skapa riskbedömningen' }).click();
  await p.getByText('Fyll i fältet Titel.').waitFor();
  await assertAccessible(p, 'assessment form with errors');
  await axeContext.close();
});
