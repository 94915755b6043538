// Browser test of login and the identity pages against the real varn: an administrator logs in,
// enrols two-step verification with a TOTP code computed here, keeps the recovery codes, creates
// a municipality, a person in it and a role assignment, finds them in the audit log, switches to
// English and back, and logs out – with no CSP violation or console error on any page. A second
// browser context logs in with a recovery code and runs axe-core on every page.
//
// The identity API is built in parallel with this UI: while its routes answer 404, every test is
// reported as skipped (TAP "# SKIP") with the reason, instead of failing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccessible, assertClean, describedBy, freshTotp, heading, launchBrowser, menu, row, screenshot, startVarn,
  strictContext,
} from './lib.mjs';

const ADMIN_EMAIL = 'admin@itc.example';
const ADMIN_PASSWORD = 'korrekt-häst-batteri-häftklammer';
const varn = await startVarn({ VARN_ADMIN_EMAIL: ADMIN_EMAIL, VARN_ADMIN_PASSWORD: ADMIN_PASSWORD });

const probe = await fetch(varn.baseUrl + '/api/v1/me');
const skip = probe.status === 404
  ? 'the identity API is not in this build yet (GET /api/v1/me answers 404): merge the backend to run this test'
  : false;

let browser, context, problems, page;
const state = { recoveryCodes: [], enrolHtml: '', recoveryHtml: '' };

after(async () => {
  if (browser) await browser.close();
  await varn.stop();
});

test('the login page is in Swedish and reports a wrong password in words', { skip }, async () => {
  browser = await launchBrowser();
  ({ context, problems } = await strictContext(browser));
  page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  await heading(page, 'Logga in');
  await screenshot(page, '01-login');
  await assertClean(page, problems, 'login');
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill('inte-rätt-lösenord');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Fel användarnamn eller lösenord.' }).waitFor();
  await screenshot(page, '02-login-error');
  await assertClean(page, problems, 'login with a wrong password');
});

test('the first login enrols two-step verification: QR code, secret, a TOTP code', { skip }, async () => {
  await page.getByLabel('Användarnamn').fill('admin');
  await page.getByLabel('Lösenord').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await heading(page, 'Aktivera tvåstegsverifiering');
  assert.equal(await page.title(), 'Aktivera tvåstegsverifiering – Värn');

  const qr = page.getByRole('img', { name: 'QR-kod att skanna med autentiseringsappen' });
  assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image renders');
  const secret = (await page.locator('#mfa-secret').textContent()).replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}=*$/, 'a base32 secret for manual entry');
  state.enrolHtml = await page.content();
  await screenshot(page, '03-enrol');
  await assertClean(page, problems, 'enrolment');

  // A wrong code is refused at the field.
  const code = page.getByLabel('Engångskod');
  await code.fill('12345');
  await page.getByRole('button', { name: 'Aktivera tvåstegsverifiering' }).click();
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  assert.ok((await describedBy(code)).includes('Engångskoden består av sex siffror.'));

  await code.fill(await freshTotp(secret));
  await page.getByRole('button', { name: 'Aktivera tvåstegsverifiering' }).click();
  await heading(page, 'Spara dina återställningskoder');
  state.recoveryCodes = (await page.locator('.recovery-codes code').allTextContents()).map((c) => c.trim());
  assert.equal(state.recoveryCodes.length, 10, 'ten recovery codes');
  await page.getByText('Koderna visas bara den här gången.').waitFor();
  state.recoveryHtml = await page.content();
  await screenshot(page, '04-recovery-codes');

  // Continuing asks for the confirmation that the codes are stored.
  await page.getByRole('button', { name: 'Fortsätt till Värn' }).click();
  const saved = page.getByLabel('Jag har sparat mina återställningskoder på ett säkert ställe.');
  assert.equal(await saved.getAttribute('aria-invalid'), 'true');
  await saved.check();
  await page.getByRole('button', { name: 'Fortsätt till Värn' }).click();
  await heading(page, 'Översikt');
  await assertClean(page, problems, 'recovery codes');
});

test('the signed-in frame: header, menu with capabilities to come, skip link', { skip }, async () => {
  assert.equal(await page.title(), 'Översikt – Värn');
  const banner = page.getByRole('banner');
  await banner.getByRole('button', { name: 'Logga ut' }).waitFor();
  await banner.getByRole('button', { name: 'English' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  for (const name of ['Översikt', 'Systemkatalog', 'Klassning', 'Mina system', 'Min information', 'Organisationer', 'Personer', 'Roller', 'Granskningslogg']) {
    await nav.getByRole('link', { name, exact: true }).waitFor();
  }
  assert.equal(await nav.getByRole('link', { name: 'Översikt', exact: true }).getAttribute('aria-current'), 'page');
  await nav.getByRole('link', { name: 'Åtkomst', exact: true }).waitFor();
  for (const name of ['Incidenter', 'Kontinuitet']) {
    const item = nav.locator('li', { hasText: name });
    assert.match(await item.textContent(), /kommer/);
    assert.equal(await item.getByRole('link').count(), 0, `${name} is not a link yet`);
  }
  // The first Tab stop is the skip link, which leads into the main content.
  await page.reload();
  await heading(page, 'Översikt');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Hoppa till innehållet');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  await screenshot(page, '05-overview');
  await assertClean(page, problems, 'overview');
});

test('an organisation is created: Norrby kommun, a municipality under ITC', { skip }, async () => {
  await menu(page, 'Organisationer', 'Organisationer');
  await row(page, 'ITC').waitFor();
  await screenshot(page, '06-organisations');
  await page.getByRole('link', { name: 'Ny organisation' }).click();
  await heading(page, 'Ny organisation');

  // Empty required fields and a wrong check digit are caught before anything is sent.
  await page.getByLabel('Organisationsnummer').fill('212000-2412');
  await page.getByRole('button', { name: 'Skapa organisationen' }).click();
  for (const id of ['org-code', 'org-name', 'org-org_number']) {
    assert.equal(await page.locator('#' + id).getAttribute('aria-invalid'), 'true', id);
  }
  assert.ok((await describedBy(page.getByLabel('Kod', { exact: true }))).includes('Fyll i det här fältet.'));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'org-code');
  await screenshot(page, '07-organisation-form-errors');

  // The server's 422 names the field; the form marks it. A tab is not allowed in a one-line name.
  await page.getByLabel('Kod', { exact: true }).fill('FEL');
  await page.getByLabel('Namn', { exact: true }).fill('Fel\tnamn');
  await page.getByLabel('Organisationsnummer').fill('');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/organisations') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Skapa organisationen' }).click();
  const res = await answer;
  assert.equal(res.status(), 422, 'a control character in the name is 422');
  assert.equal(res.request().headers()['x-varn-csrf'], '1', 'unsafe requests carry the CSRF header');
  const problem = await res.json();
  const field = page.locator('#org-' + problem.field);
  await page.waitForFunction((id) => document.getElementById(id)?.getAttribute('aria-invalid') === 'true', 'org-' + problem.field);
  assert.ok((await describedBy(field)).some((t) => t.trim().length > 0), 'the field shows why');
  await page.getByRole('alert').filter({ hasText: 'Kontrollera fältet' }).waitFor();

  await page.getByLabel('Kod', { exact: true }).fill('NORRBY');
  await page.getByLabel('Namn', { exact: true }).fill('Norrby kommun');
  await page.getByLabel('Typ').selectOption('municipality');
  await page.getByLabel('Överordnad organisation').selectOption('ITC');
  await page.getByLabel('Organisationsnummer').fill('212000-2411');
  await page.getByRole('button', { name: 'Skapa organisationen' }).click();
  await heading(page, 'Organisationer');
  await page.getByRole('status').filter({ hasText: 'Organisationen Norrby kommun är skapad.' }).waitFor();
  const norrby = row(page, 'Norrby kommun');
  await norrby.waitFor();
  const cells = await norrby.locator('td').allTextContents();
  assert.deepEqual(cells.slice(1, 3).map((c) => c.trim()), ['NORRBY', 'Kommun']);
  assert.equal(cells[4].trim(), '212000-2411');
  await assertClean(page, problems, 'organisations');

  // The filters: text and kind.
  await page.getByLabel('Sök på namn eller kod').fill('norr');
  await page.getByRole('status').filter({ hasText: /^\s*1 organisation\s*$/ }).waitFor();
  await page.getByLabel('Typ').selectOption('supplier');
  await page.getByText('Inga organisationer matchar filtret.').waitFor();
  await page.getByLabel('Typ').selectOption('');
  await page.getByLabel('Sök på namn eller kod').fill('');
  await row(page, 'ITC').waitFor();

  // Change it: two-step verification is required by default; Norrby turns it off.
  await page.getByRole('link', { name: 'Ändra Norrby kommun' }).click();
  await heading(page, 'Ändra Norrby kommun');
  assert.equal(await page.getByLabel('Organisationsnummer').inputValue(), '212000-2411');
  const mfa = page.getByLabel('Kräv tvåstegsverifiering för alla i organisationen');
  assert.equal(await mfa.isChecked(), true);
  await mfa.uncheck();
  await screenshot(page, '08-organisation-edit');
  await page.getByRole('button', { name: 'Spara ändringarna' }).click();
  await page.getByRole('status').filter({ hasText: 'Ändringarna i Norrby kommun är sparade.' }).waitFor();
  await assertClean(page, problems, 'organisation edit');
});

test('the organisation switcher scopes the lists', { skip }, async () => {
  const scope = page.getByRole('banner').getByLabel('Organisation');
  const options = await scope.locator('option').allTextContents();
  assert.equal(options[0], 'Alla organisationer');
  assert.ok(options.some((o) => o.includes('Norrby kommun')), options.join(' | '));
  await scope.selectOption('NORRBY');
  await page.getByText('Visar Norrby kommun och organisationerna under den.').waitFor();
  assert.equal(await row(page, 'ITC').count(), 0, 'ITC is not under Norrby');
  await scope.selectOption('');
  await row(page, 'ITC').waitFor();
});

test('a person is created in Norrby and changed', { skip }, async () => {
  await menu(page, 'Personer', 'Personer');
  await page.getByRole('link', { name: 'Ny person' }).click();
  await heading(page, 'Ny person');
  const form = page.getByRole('main');
  await form.getByLabel('Användar-id').fill('anna.andersson');
  await form.getByLabel('Namn', { exact: true }).fill('Anna Andersson');
  await form.getByLabel('E-postadress').fill('anna.andersson@norrby.example');
  await form.getByLabel('Organisation', { exact: true }).selectOption('NORRBY');
  await form.getByLabel('Första anställningsdag').fill('2026-01-07');
  await screenshot(page, '09-person-form');
  await page.getByRole('button', { name: 'Lägg till personen' }).click();
  await heading(page, 'Personer');
  await page.getByRole('status').filter({ hasText: 'Anna Andersson är tillagd.' }).waitFor();
  const anna = row(page, 'anna.andersson');
  await anna.waitFor();
  assert.match(await anna.textContent(), /Norrby kommun/);
  assert.match(await anna.textContent(), /från 2026-01-07/);
  await assertClean(page, problems, 'people');

  await page.getByLabel('Sök på namn, användar-id eller e-post').fill('zzz-ingen');
  await page.getByText('Inga personer matchar sökningen.').waitFor();
  await page.getByLabel('Sök på namn, användar-id eller e-post').fill('anna');
  await anna.waitFor();

  await page.getByRole('link', { name: 'Ändra Anna Andersson' }).click();
  await heading(page, 'Ändra Anna Andersson');
  await page.getByLabel('Sista anställningsdag').fill('2026-12-31');
  await page.getByRole('button', { name: 'Spara ändringarna' }).click();
  await page.getByRole('status').filter({ hasText: 'Ändringarna för Anna Andersson är sparade.' }).waitFor();
  assert.match(await row(page, 'anna.andersson').textContent(), /2026-01-07 – 2026-12-31/);
  await screenshot(page, '10-people');
  await assertClean(page, problems, 'person edit');
});

test('the person is given a role, and a second role is removed again', { skip }, async () => {
  await menu(page, 'Roller', 'Roller');
  const roles = await page.evaluate(async () => (await (await fetch('/api/v1/roles')).json()).items);
  const owner = roles.find((r) => r.id === 'information_owner');
  assert.ok(owner, 'the role information_owner exists');

  const form = page.locator('form', { has: page.getByRole('button', { name: 'Tilldela rollen' }) });
  await form.getByLabel('Person').fill('anna.andersson');
  await form.getByLabel('Roll').selectOption('information_owner');
  await form.getByLabel('Organisation').selectOption('NORRBY');
  await form.getByRole('button', { name: 'Tilldela rollen' }).click();
  await page.getByRole('status').filter({ hasText: `Anna Andersson har fått rollen ${owner.name_sv} i Norrby kommun.` }).waitFor();
  const assigned = row(page, owner.name_sv).filter({ hasText: 'anna.andersson' });
  await assigned.waitFor();
  assert.match(await assigned.textContent(), /Norrby kommun/);

  await form.getByLabel('Person').fill('anna.andersson');
  await form.getByLabel('Roll').selectOption('user');
  await form.getByLabel('Organisation').selectOption('NORRBY');
  await form.getByRole('button', { name: 'Tilldela rollen' }).click();
  const userRole = roles.find((r) => r.id === 'user');
  const second = row(page, userRole.name_sv).filter({ hasText: 'anna.andersson' });
  await second.waitFor();
  await screenshot(page, '11-roles');
  await second.getByRole('button', { name: /^Ta bort/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'confirm-remove', 'focus moves to the confirmation');
  await screenshot(page, '12-roles-confirm');
  const removed = page.waitForResponse((r) => r.request().method() === 'DELETE');
  await page.locator('#confirm-remove').click();
  assert.equal((await removed).status(), 204);
  await page.getByRole('status').filter({ hasText: 'har inte längre rollen' }).waitFor();
  await assigned.waitFor();
  assert.equal(await second.count(), 0);
  await assertClean(page, problems, 'roles');
});

test('the audit log lists the changes and exports them as CSV', { skip }, async () => {
  await menu(page, 'Granskningslogg', 'Granskningslogg');
  await page.locator('table.audit > tbody > tr').first().waitFor();
  const text = await page.locator('table.audit > tbody').textContent();
  for (const id of ['NORRBY', 'anna.andersson']) assert.ok(text.includes(id), `the log names ${id}`);
  await screenshot(page, '13-audit');

  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('Från och med').fill(today);
  const link = page.getByRole('link', { name: 'Exportera CSV' });
  await page.waitForFunction(() => document.querySelector('a[download]')?.getAttribute('href')?.includes('from='));
  const href = await link.getAttribute('href');
  assert.match(href, /^\/api\/v1\/audit\?/);
  const params = new URL(href, varn.baseUrl).searchParams;
  assert.equal(params.get('format'), 'csv');
  assert.equal(params.get('from'), today);
  const csv = await page.request.get(varn.baseUrl + href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.match(await csv.text(), /NORRBY/);
  await page.getByRole('button', { name: 'Rensa filtren' }).click();
  await assertClean(page, problems, 'audit log');
});

test('the language switches to English, survives a reload, and switches back', { skip }, async () => {
  await page.getByRole('banner').getByRole('button', { name: 'English' }).click();
  await heading(page, 'Audit log');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.title(), 'Audit log – Värn');
  await page.reload();
  await heading(page, 'Audit log');
  await menu(page, 'Organisations', 'Organisations');
  assert.match(await row(page, 'Norrby kommun').textContent(), /Municipality/);
  await screenshot(page, '14-organisations-en');
  await page.getByRole('banner').getByRole('button', { name: 'Svenska' }).click();
  await heading(page, 'Organisationer');
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  await assertClean(page, problems, 'language switch');
});

test('a narrow screen gets the same pages, with the menu above the content', { skip }, async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await menu(page, 'Personer', 'Personer');
  await screenshot(page, '15-people-narrow');
  const nav = await page.getByRole('navigation', { name: 'Huvudmeny' }).boundingBox();
  const main = await page.getByRole('main').boundingBox();
  assert.ok(nav.y + nav.height <= main.y + 1, 'the menu is above the content');
  await page.setViewportSize({ width: 1280, height: 720 });
});

test('logging out ends the session', { skip }, async () => {
  await page.getByRole('banner').getByRole('button', { name: 'Logga ut' }).click();
  await heading(page, 'Logga in');
  await page.getByText('Du är nu utloggad.').waitFor();
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(me, 401);
  await assertClean(page, problems, 'logout');
  await context.close();
});

test('every page has no WCAG 2.1 AA violations (axe-core); a recovery code logs in', { skip }, async () => {
  // axe-core is injected as a script, which the CSP forbids: this context bypasses the CSP for
  // that, and nothing else. The CSP checks above ran without bypass.
  const axeContext = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
  const p = await axeContext.newPage();
  await p.goto(varn.baseUrl + '/');
  await heading(p, 'Logga in');
  await assertAccessible(p, 'login');
  await p.getByRole('button', { name: 'Logga in' }).click();
  await assertAccessible(p, 'login with empty fields');
  await p.getByLabel('Användarnamn').fill(ADMIN_EMAIL);
  await p.getByLabel('Lösenord').fill(ADMIN_PASSWORD);
  await p.getByRole('button', { name: 'Logga in' }).click();
  await heading(p, 'Tvåstegsverifiering');
  await assertAccessible(p, 'two-step verification');
  await screenshot(p, '16-mfa-code');
  await p.getByRole('button', { name: 'Använd en återställningskod i stället' }).click();
  await p.getByLabel('Återställningskod').fill(state.recoveryCodes[0]);
  await assertAccessible(p, 'two-step verification with a recovery code');
  await p.getByRole('button', { name: 'Verifiera' }).click();
  await heading(p, 'Översikt');
  await assertAccessible(p, 'overview');

  const pages = [
    ['/organisationer', 'Organisationer'],
    ['/organisationer/ny', 'Ny organisation'],
    ['/organisationer/andra?kod=NORRBY', 'Ändra Norrby kommun'],
    ['/personer', 'Personer'],
    ['/personer/ny', 'Ny person'],
    ['/personer/andra?id=anna.andersson', 'Ändra Anna Andersson'],
    ['/roller', 'Roller'],
    ['/granskningslogg', 'Granskningslogg'],
    ['/finns-inte', 'Sidan finns inte'],
  ];
  for (const [url, title] of pages) {
    await p.goto(varn.baseUrl + url);
    await heading(p, title);
    await p.waitForFunction(() => !document.querySelector('[aria-busy="true"], .loading'));
    await assertAccessible(p, url);
  }
  // Forms showing errors.
  await p.goto(varn.baseUrl + '/personer/ny');
  await heading(p, 'Ny person');
  await p.getByRole('button', { name: 'Lägg till personen' }).click();
  await assertAccessible(p, '/personer/ny with errors');
  // The audit log with a change opened, and the removal confirmation.
  await p.goto(varn.baseUrl + '/granskningslogg');
  await p.locator('table.audit button[aria-expanded]').first().click();
  await assertAccessible(p, '/granskningslogg with details');
  await screenshot(p, '17-audit-details');
  await p.goto(varn.baseUrl + '/roller');
  await p.locator('tbody').getByRole('button', { name: /^Ta bort/ }).first().click();
  await assertAccessible(p, '/roller confirming a removal');
  // English.
  await p.getByRole('banner').getByRole('button', { name: 'English' }).click();
  await heading(p, 'Roles');
  await assertAccessible(p, '/roller in English');
  await p.getByRole('banner').getByRole('button', { name: 'Svenska' }).click();

  // The enrolment and recovery code pages are shown once per account: check the markup the
  // first context saw, with this origin's stylesheet.
  for (const [label, html] of [['enrolment', state.enrolHtml], ['recovery codes', state.recoveryHtml]]) {
    await p.goto(varn.baseUrl + '/finns-inte');
    await heading(p, 'Sidan finns inte');
    await p.evaluate((markup) => {
      const doc = new DOMParser().parseFromString(markup, 'text/html');
      document.body.replaceChildren(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
      document.title = doc.title;
    }, html);
    await assertAccessible(p, label);
  }
  await axeContext.close();
});
