// Browser test of the UI shell, which needs no API beyond the static files: the app loads under
// the server's strict CSP, greets in Swedish with the login, switches to English and remembers it,
// answers deep links, checks the login form itself, and passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, assertClean, launchBrowser, screenshot, startVarn, strictContext } from './lib.mjs';

let varn, browser;

before(async () => {
  varn = await startVarn();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (varn) await varn.stop();
});

test('the UI loads in Swedish with its own stylesheet and script, without CSP violations', async () => {
  const { context, problems } = await strictContext(browser);
  const page = await context.newPage();
  const response = await page.goto(varn.baseUrl + '/');
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /script-src 'self'/);
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  assert.equal(await page.title(), 'Logga in – Värn');
  // The stylesheet applied: the header has the brand colour.
  const colour = await page.$eval('.login-header', (el) => getComputedStyle(el).backgroundColor);
  assert.equal(colour, 'rgb(22, 63, 94)');
  // Everything the page loaded came from the same origin, as files.
  const html = await (await page.request.get(varn.baseUrl + '/')).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=/i, 'no inline style');
  await screenshot(page, 'start-login');
  await assertClean(page, problems, 'login page');
  await context.close();
});

test('the language switch shows English and is remembered after a reload', async () => {
  const { context, problems } = await strictContext(browser);
  const page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.title(), 'Log in – Värn');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
  await page.getByRole('button', { name: 'Svenska' }).click();
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  await assertClean(page, problems, 'language switch');
  await context.close();
});

test('a deep link into the UI is answered by the app', async () => {
  const { context, problems } = await strictContext(browser);
  const page = await context.newPage();
  const response = await page.goto(varn.baseUrl + '/organisationer/ny');
  assert.equal(response.status(), 200);
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/organisationer/ny', 'the address is kept for after the login');
  await assertClean(page, problems, 'deep link');
  await context.close();
});

test('the login form marks empty fields for sighted and screen reader users', async () => {
  const { context, problems } = await strictContext(browser);
  const page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  await page.getByRole('button', { name: 'Logga in' }).click();
  const username = page.getByLabel('Användarnamn');
  assert.equal(await username.getAttribute('aria-invalid'), 'true');
  const described = await username.getAttribute('aria-describedby');
  assert.ok(described, 'the field names its error');
  const texts = await Promise.all(described.split(' ').map((id) => page.locator('#' + id).textContent()));
  assert.ok(texts.includes('Ange ditt användar-id eller din e-postadress.'), texts.join(' | '));
  // The first field with an error has the focus.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-username');
  await assertClean(page, problems, 'empty login form');
  await context.close();
});

test('the login page has no WCAG 2.1 AA violations (axe-core), in Swedish and in English', async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
  await assertAccessible(page, 'login page');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await assertAccessible(page, 'login page with errors');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
  await assertAccessible(page, 'login page in English');
  await context.close();
});

test('the keyboard reaches the language switch, then the user name', async () => {
  const { context } = await strictContext(browser);
  const page = await context.newPage();
  await page.goto(varn.baseUrl + '/');
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
  await page.keyboard.press('Tab');
  // The login page has no navigation to skip: the first stop is the language switch.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'English');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-username');
  await context.close();
});
