// Browser test of the access control pages (Åtkomst) against the real varn with the demo region.
// Linnéa Björk (a case officer in Norrby) asks for Läsbehörighet in Norrby's Ekonomisystem; Anna
// Lindgren, who owns the information the system processes, finds it under Att besluta and
// approves it; Jonas Hedlund, the system's owner and administrator, finds the task under
// Uppgifter, confirms it with Klar and sees the grant on Linnéa's account under Konton; Linnéa
// sees her request as Tilldelad with who decided. Karin Lindqvist (CISO) starts a review campaign
// over the system; Anna is told a comment is needed to revoke, revokes Linnéa's grant with one
// and sees the campaign's progress change; the removal task reaches Jonas; Karin reminds the
// reviewers and Anna finds the campaign under Uppgifter. Karin sees Avslut (the leavers' grants,
// days left, "möjlig incident"), the MFA coverage on the dashboard, filters the accounts and
// approves a shared account's exception; a supplier's contact has no Åtkomst in the menu. Every
// page is checked for CSP violations and console errors and run through axe-core (WCAG 2.1 AA)
// in a context that bypasses the CSP. Skips until the build has the access API and demo data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccessible, assertClean, freshTotp, heading, launchBrowser, menu, row, screenshot, startVarn,
  strictContext, totpStep,
} from './lib.mjs';

const varn = await startVarn();
const demoOut = varn.cli(['demo']);
const password = /password of every demo user: (\S+)/.exec(demoOut)?.[1];


const SYSTEM = 'NOR-EKONOMI';
const SYSTEM_NAME = 'Ekonomisystem';
const ENTITLEMENT = 'Läsbehörighet';
const JUSTIFICATION = 'Jag behöver se leverantörsfakturorna för att svara på frågor från leverantörer.';
const CAMPAIGN = 'Granskning av Ekonomisystem hösten 2026';

let browser;
/** One signed-in browser context per demo person. */
const users = {};

after(async () => {
  if (browser) await browser.close();
  await varn.stop();
});

async function settled(p) {
  await p.waitForFunction(() => !document.querySelector('[aria-busy="true"], .loading'));
}

/** Signs a demo person in (enrolling two-step verification when asked to) in a context of their own. */
async function signIn(userId) {
  if (users[userId]) return users[userId];
  const { context, problems } = await strictContext(browser);
  const page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  await heading(page, 'Logga in');
  await page.getByLabel('Användarnamn').fill(userId);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  const enrol = page.getByRole('heading', { level: 1, name: 'Aktivera tvåstegsverifiering', exact: true });
  const overview = page.getByRole('heading', { level: 1, name: 'Översikt', exact: true });
  await enrol.or(overview).waitFor();
  if (await enrol.isVisible()) {
    const secret = (await page.locator('#mfa-secret').textContent()).replace(/\s/g, '');
    await page.getByLabel('Engångskod').fill(await freshTotp(secret));
    totpStep();
    await page.getByRole('button', { name: 'Aktivera tvåstegsverifiering' }).click();
    await heading(page, 'Spara dina återställningskoder');
    await page.getByLabel('Jag har sparat mina återställningskoder på ett säkert ställe.').check();
    await page.getByRole('button', { name: 'Fortsätt till Värn' }).click();
    await heading(page, 'Översikt');
  }
  users[userId] = { context, problems, page };
  return users[userId];
}

/** axe-core on the page's address in a context that bypasses the CSP, signed in as the same person. */
const axeContexts = {};
async function axe(userId, page, label) {
  if (!axeContexts[userId]) {
    const ctx = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm', bypassCSP: true,
      storageState: await users[userId].context.storageState() });
    axeContexts[userId] = await ctx.newPage();
  }
  const p = axeContexts[userId];
  await p.goto(page.url());
  await p.locator('main h1').waitFor();
  await settled(p);
  await assertAccessible(p, label);
}

/** Opens an access page through the menu: Åtkomst, then the page's link in the access navigation. */
async function accessPage(p, link, title) {
  await p.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Åtkomst', exact: true }).click();
  await p.getByRole('navigation', { name: 'Åtkomst' }).waitFor();
  await p.getByRole('navigation', { name: 'Åtkomst' }).getByRole('link', { name: link, exact: true }).click();
  await heading(p, title);
  assert.equal(await p.title(), `${title} – Värn`);
  await settled(p);
}

test('the demo region is there and its password printed', async () => {
  assert.ok(password, 'varn demo printed the password: ' + demoOut.slice(0, 400));
  browser = await launchBrowser();
});

test('Linnéa asks for Läsbehörighet in Ekonomisystem; the form names the missing fields first', async () => {
  const { page, problems } = await signIn('linnea.bjork');
  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  await nav.getByRole('link', { name: 'Åtkomst', exact: true }).click();
  await heading(page, 'Behörighetsbegäran');
  await settled(page);
  assert.equal(await page.getByRole('navigation', { name: 'Åtkomst' }).count(), 0, 'a case officer has only the request page');
  assert.equal(await page.getByRole('heading', { name: 'Att besluta' }).count(), 0, 'no decisions for a case officer');

  await page.getByRole('button', { name: 'Skicka begäran' }).click();
  await page.getByText('Fyll i fältet System.').waitFor();
  await page.getByText('Fyll i fältet Motivering.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'req-system', 'the first wrong field has focus');

  // A case officer may not list the catalog, yet the form offers the systems she may ask for
  // access to, and then the chosen system's entitlements.
  const system = page.getByLabel('System', { exact: true });
  assert.equal(await system.evaluate((el) => el.tagName), 'SELECT', 'the systems are offered');
  const offered = await system.locator('option').allTextContents();
  assert.ok(offered.some((o) => o.includes(SYSTEM)), 'her municipality\'s system is offered: ' + offered.join(', '));
  assert.ok(!offered.some((o) => o.includes('SOD-SKOLA')), 'another municipality\'s system is not');
  await system.selectOption(SYSTEM);
  const entitlement = page.getByLabel('Behörighet', { exact: true });
  await page.waitForFunction(() => document.getElementById('req-entitlement')?.tagName === 'SELECT', null, { timeout: 5000 });
  await entitlement.selectOption({ label: ENTITLEMENT });
  await page.getByLabel(/^Motivering/).fill(JUSTIFICATION);
  await page.getByRole('button', { name: 'Skicka begäran' }).click();
  await page.getByText(`Din begäran om ${ENTITLEMENT} i ${SYSTEM_NAME} är skickad till informationsägaren.`).waitFor();
  await settled(page);
  const mine = page.locator('section', { has: page.getByRole('heading', { name: 'Mina begäranden' }) });
  const request = mine.locator('tbody tr', { hasText: ENTITLEMENT }).filter({ hasText: SYSTEM_NAME });
  await request.waitFor();
  assert.match(await request.textContent(), /Väntar på beslut/);
  assert.match(await request.textContent(), /Dig själv/);
  await screenshot(page, 'a1-request');
  await assertClean(page, problems, 'request');
  await axe('linnea.bjork', page, 'Behörighetsbegäran (case officer)');
});

test('Anna, the information owner, approves it under Att besluta', async () => {
  const { page, problems } = await signIn('anna.lindgren');
  await accessPage(page, 'Behörighetsbegäran', 'Behörighetsbegäran');
  const decide = page.locator('section', { has: page.getByRole('heading', { name: 'Att besluta' }) });
  const item = decide.locator('li', { hasText: 'Linnéa Björk vill ha Läsbehörighet i Ekonomisystem' });
  await item.waitFor();
  assert.match(await item.textContent(), /leverantörsfakturorna/);
  await axe('anna.lindgren', page, 'Att besluta');
  await item.getByLabel(/^Kommentar/).fill('Godkänt för arbetet med leverantörsfrågor.');
  await item.getByRole('button', { name: /^Godkänn/ }).click();
  await page.getByText(/Du har godkänt att Linnéa Björk får Läsbehörighet i Ekonomisystem\./).waitFor();
  await item.waitFor({ state: 'detached' });
  await screenshot(page, 'a2-approved');
  await assertClean(page, problems, 'approve');
});

test('Jonas, who administers the system, confirms the task with Klar and sees the grant', async () => {
  const { page, problems } = await signIn('jonas.hedlund');
  await accessPage(page, 'Uppgifter', 'Uppgifter');
  const task = row(page, 'Ge Linnéa Björk behörigheten Läsbehörighet').or(row(page, 'Ge linnea.bjork behörigheten Läsbehörighet'));
  await task.first().waitFor();
  assert.match(await task.first().textContent(), /Lägg upp/);
  await axe('jonas.hedlund', page, 'Uppgifter');
  await task.first().getByRole('button', { name: /^Klar/ }).click();
  await page.getByText(/^Uppgiften är klar: .*Läsbehörighet i Ekonomisystem\./).waitFor();
  await settled(page);
  await screenshot(page, 'a3-task-done');

  await page.getByRole('navigation', { name: 'Åtkomst' }).getByRole('link', { name: 'Konton', exact: true }).click();
  await heading(page, 'Konton');
  await settled(page);
  await axe('jonas.hedlund', page, 'Konton');
  await page.getByLabel('System (id)').fill(SYSTEM);
  await page.getByLabel('Person (användar-id)').fill('linnea.bjork');
  await page.waitForFunction(() => /system=NOR-EKONOMI/.test(location.search) && /person=linnea.bjork/.test(location.search));
  await settled(page);
  const account = row(page, 'linnea.bjork');
  await account.waitFor();
  assert.equal(await page.locator('tbody tr').count(), 1, 'one account of Linnéa in Ekonomisystem');
  assert.match(await page.getByRole('link', { name: 'Exportera som CSV' }).getAttribute('href'), /\/api\/v1\/accounts\?.*system=NOR-EKONOMI.*format=csv/);
  assert.match(await page.getByRole('link', { name: 'Exportera som Excel (XLSX)' }).getAttribute('href'), /format=xlsx/);
  await account.getByRole('link', { name: 'linnea.bjork' }).click();
  await heading(page, 'Kontot linnea.bjork i Ekonomisystem');
  await settled(page);
  const grants = page.locator('table', { has: page.locator('caption', { hasText: 'Behörigheter som kontot linnea.bjork har nu' }) });
  await grants.locator('tbody tr', { hasText: ENTITLEMENT }).waitFor();
  assert.match(await grants.locator('tbody tr', { hasText: ENTITLEMENT }).textContent(), /Behörighetsbegäran/);
  await screenshot(page, 'a4-account');
  await axe('jonas.hedlund', page, 'account');
  await assertClean(page, problems, 'task and account');
});

test('Linnéa sees her request provisioned, with who decided and the comment', async () => {
  const { page, problems } = await signIn('linnea.bjork');
  await page.reload();
  await heading(page, 'Behörighetsbegäran');
  await settled(page);
  const request = page.locator('section', { has: page.getByRole('heading', { name: 'Mina begäranden' }) })
    .locator('tbody tr', { hasText: ENTITLEMENT }).filter({ hasText: SYSTEM_NAME });
  await request.waitFor();
  const text = await request.textContent();
  assert.match(text, /Tilldelad/);
  assert.match(text, /anna\.lindgren|Anna Lindgren/);
  assert.match(text, /Godkänt för arbetet med leverantörsfrågor\./);
  await assertClean(page, problems, 'my requests');
});

let campaignUrl = '';
test('Karin, the CISO, starts a review campaign over Ekonomisystem', async () => {
  const { page, problems } = await signIn('karin.lindqvist');
  await accessPage(page, 'Granskningar', 'Granskningar');
  await axe('karin.lindqvist', page, 'Granskningar');
  await page.getByRole('button', { name: 'Starta granskningen' }).click();
  await page.getByText('Fyll i fältet Titel.').waitFor();
  await page.getByText('Välj minst ett system i fältet System att granska.').waitFor();
  await page.getByLabel(/^Titel/).fill(CAMPAIGN);
  await page.getByLabel('Visa system från').selectOption('NORRBY');
  await page.getByRole('group', { name: 'System att granska' }).getByLabel(SYSTEM_NAME).check();
  await page.getByRole('button', { name: 'Starta granskningen' }).click();
  await heading(page, CAMPAIGN);
  await page.getByText(`Granskningen ${CAMPAIGN} är startad.`).waitFor();
  await settled(page);
  campaignUrl = new URL(page.url()).pathname + new URL(page.url()).search;
  const progress = await page.locator('#review-progress').textContent();
  assert.match(progress, /0 av \d+ beslutade/);
  const reviewers = page.locator('table', { has: page.locator('caption', { hasText: 'Beslutade poster per granskare' }) });
  const anna = reviewers.locator('tbody tr', { hasText: 'Anna Lindgren' });
  await anna.waitFor();
  assert.match(await anna.textContent(), /\b0\s?%/);
  const xlsx = await page.getByRole('link', { name: 'Exportera granskningen som Excel (XLSX)' }).getAttribute('href');
  assert.match(xlsx, /\/api\/v1\/access-reviews\/\d+\/items\?format=xlsx/);
  // The export is a real workbook (a ZIP file) of the campaign's items.
  const file = await page.request.get(varn.baseUrl + xlsx);
  assert.equal(file.status(), 200);
  assert.match(file.headers()['content-type'], /spreadsheetml/);
  assert.equal((await file.body()).subarray(0, 2).toString(), 'PK');
  await screenshot(page, 'a5-campaign');
  await axe('karin.lindqvist', page, 'campaign');
  await assertClean(page, problems, 'campaign');
});

test('Anna revokes Linnéa\'s grant; a comment is required; the progress changes', async () => {
  const { page, problems } = await signIn('anna.lindgren');
  await accessPage(page, 'Granskningar', 'Granskningar');
  await page.getByRole('link', { name: CAMPAIGN }).click();
  await heading(page, CAMPAIGN);
  await settled(page);
  const before = (await page.locator('#review-progress').textContent()).match(/(\d+) av (\d+) beslutade/);
  assert.ok(before, 'progress shown');
  const item = page.locator('tbody tr', { hasText: 'Linnéa Björk' }).filter({ hasText: ENTITLEMENT });
  await item.waitFor();
  await axe('anna.lindgren', page, 'review items');
  await item.getByRole('button', { name: /^Återkalla/ }).click();
  await page.getByText('Skriv varför behörigheten ska återkallas.').waitFor();
  assert.equal(await item.getByLabel(/^Kommentar/).getAttribute('aria-invalid'), 'true');
  await item.getByLabel(/^Kommentar/).fill('Behövs inte längre efter omorganisationen.');
  await item.getByRole('button', { name: /^Återkalla/ }).click();
  await page.getByText(/^Återkallas: Läsbehörighet i Ekonomisystem för Linnéa Björk\./).waitFor();
  await item.getByText('Återkallas', { exact: true }).waitFor();
  assert.match(await item.textContent(), /Behövs inte längre efter omorganisationen\./);
  await page.waitForFunction((n) => new RegExp(`^\\s*.*${n} av`).test(document.getElementById('review-progress')?.textContent ?? ''),
    Number(before[1]) + 1);
  assert.match(await page.locator('#review-progress').textContent(), new RegExp(`${Number(before[1]) + 1} av ${before[2]} beslutade`));
  await screenshot(page, 'a6-revoked');
  await assertClean(page, problems, 'revoke');
});

test('the revocation reaches Jonas as a removal task; the CISO sees the progress per reviewer', async () => {
  const jonas = await signIn('jonas.hedlund');
  await accessPage(jonas.page, 'Uppgifter', 'Uppgifter');
  const task = row(jonas.page, 'Ta bort Läsbehörighet från');
  await task.first().waitFor();
  assert.match(await task.first().textContent(), /Ekonomisystem/);
  await assertClean(jonas.page, jonas.problems, 'removal task');

  const { page, problems } = await signIn('karin.lindqvist');
  await page.goto(varn.baseUrl + campaignUrl);
  await heading(page, CAMPAIGN);
  await settled(page);
  const anna = page.locator('table', { has: page.locator('caption', { hasText: 'Beslutade poster per granskare' }) })
    .locator('tbody tr', { hasText: 'Anna Lindgren' });
  const cells = await anna.locator('td').allTextContents();
  assert.ok(Number(cells[1]) >= 1, 'Anna has decided at least one item: ' + cells.join(' | '));
  // There is no e-mail yet: a reminder shows on the reviewers' Uppgifter.
  await page.getByRole('button', { name: 'Påminn granskarna' }).click();
  await page.getByText(/^\d+ granskare är påmind/).waitFor();
  await page.locator('.facts', { hasText: 'Senaste påminnelse' }).waitFor();
  await assertClean(page, problems, 'progress per reviewer and reminder');

  const reviewer = await signIn('anna.lindgren');
  await accessPage(reviewer.page, 'Uppgifter', 'Uppgifter');
  const waiting = reviewer.page.locator('section', { has: reviewer.page.getByRole('heading', { name: 'Granskningar som väntar på dig' }) });
  await waiting.getByRole('link', { name: CAMPAIGN }).waitFor();
  assert.match(await waiting.textContent(), /behörighet(er)? att granska, klart senast .*påmind/);
  await axe('anna.lindgren', reviewer.page, 'Uppgifter with reminders');
  await assertClean(reviewer.page, reviewer.problems, 'reminder');
});

test('Avslut lists the leavers with their grants, days left and the possible incident flag', async () => {
  const { page, problems } = await signIn('karin.lindqvist');
  await accessPage(page, 'Avslut', 'Avslut');
  // Oskar Lund left 45 days ago and still has the payroll system's administrator account.
  const oskar = page.locator('li.panel', { has: page.getByRole('heading', { name: /Oskar Lund/ }) });
  await oskar.waitFor();
  assert.match(await oskar.textContent(), /Slutade för 45 dagar sedan/);
  assert.match(await oskar.textContent(), /Lönesystem/);
  // Erik Johansson leaves in ten days, within the policy's notice; with five days ahead he is not
  // listed yet, while those who have left still are.
  const erik = page.locator('li.panel', { has: page.getByRole('heading', { name: /Erik Johansson/ }) });
  await erik.waitFor();
  assert.match(await erik.textContent(), /10 dagar kvar/);
  assert.match(await erik.textContent(), /Ekonomisystem/);
  await page.getByLabel('Dagar framåt').fill('5');
  await page.waitForFunction(() => /dagar=5/.test(location.search));
  await settled(page);
  await erik.waitFor({ state: 'detached' });
  await oskar.waitFor();
  await page.getByLabel('Dagar framåt').fill('');
  await page.waitForFunction(() => !/dagar=/.test(location.search));
  await settled(page);
  await erik.waitFor();
  const flagged = await page.locator('li.panel', { hasText: 'Möjlig incident' }).count();
  assert.ok(flagged >= 1, 'someone is flagged as a possible incident');
  assert.match(await page.getByRole('link', { name: 'Exportera som Excel (XLSX)' }).getAttribute('href'), /\/api\/v1\/offboarding.*format=xlsx/);
  await screenshot(page, 'a7-offboarding');
  await axe('karin.lindqvist', page, 'Avslut');
  await assertClean(page, problems, 'offboarding');
});

test('the dashboard shows MFA coverage per organisation, privileged and not', async () => {
  const { page, problems } = await signIn('karin.lindqvist');
  await menu(page, 'Översikt', 'Översikt');
  const table = page.locator('table', { has: page.locator('caption', { hasText: 'Andel aktiva konton med tvåstegsverifiering' }) });
  await table.waitFor();
  const norrby = table.locator('tbody tr', { hasText: 'Norrby kommun' });
  await norrby.waitFor();
  assert.match(await norrby.textContent(), /\d+ av \d+/);
  await screenshot(page, 'a8-mfa');
  await axe('karin.lindqvist', page, 'dashboard with MFA coverage');
  await assertClean(page, problems, 'MFA coverage');
});

test('the account list filters and an empty result; English texts', async () => {
  const { page, problems } = await signIn('karin.lindqvist');
  await accessPage(page, 'Konton', 'Konton');
  await page.getByLabel('Delat konto').selectOption('true');
  await settled(page);
  await row(page, 'omsorg.natt').waitFor();
  for (const text of await page.locator('tbody tr').allTextContents()) assert.match(text, /Delat/);
  await page.getByLabel('Bara konton utan person').check();
  await settled(page);
  await row(page, 'omsorg.natt').waitFor();
  // The night shift's shared account has no exception yet: the CISO approves one.
  await row(page, 'omsorg.natt').getByRole('link', { name: 'omsorg.natt' }).click();
  await heading(page, 'Kontot omsorg.natt i Omsorgsjournal');
  await settled(page);
  await page.getByText('Det här är ett delat konto utan godkänt undantag.', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Godkänn undantaget' }).click();
  await page.getByText('Fyll i fältet Skäl till undantaget.').waitFor();
  await page.getByLabel(/^Skäl till undantaget/).fill('Nattpersonalen delar en terminal på boendet; kontot byts mot egna konton i vår.');
  await page.getByLabel(/^Gäller till och med/).fill(new Date(Date.now() + 90 * 86400000).toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Godkänn undantaget' }).click();
  await page.getByText('Undantaget är godkänt.').waitFor();
  await page.getByText(/^Undantaget gäller till och med \d{4}-\d{2}-\d{2}\. Skäl: Nattpersonalen delar en terminal/).waitFor();
  await page.getByText(/^Godkänt av karin\.lindqvist|^Godkänt av Karin Lindqvist/).waitFor();
  await axe('karin.lindqvist', page, 'shared account with its exception');
  await page.goBack();
  await heading(page, 'Konton');
  await settled(page);
  await page.getByLabel('Sök användarnamn eller namn').fill('finns-inte-alls');
  await page.getByText('Inga konton matchar.').waitFor();
  await page.getByRole('button', { name: 'Rensa filtren' }).click();
  await settled(page);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts', exact: true }).waitFor();
  await page.getByRole('navigation', { name: 'Access' }).getByRole('link', { name: 'Reviews', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Svenska' }).click();
  await heading(page, 'Konton');
  await assertClean(page, problems, 'account filters');
});

test('a supplier\'s contact has no Åtkomst in the menu', async () => {
  const { page, problems } = await signIn('peter.sandin');
  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  await nav.getByRole('link', { name: 'Översikt', exact: true }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Åtkomst', exact: true }).count(), 0, 'no Åtkomst link');
  await assertClean(page, problems, 'supplier contact');
});
