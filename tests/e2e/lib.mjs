// Shared parts of the browser tests: the real varn on a loopback port with a fresh database,
// Debian's Chromium with a fresh profile, checks for CSP violations and console errors, axe-core,
// screenshots, and TOTP codes (RFC 6238) computed here to enrol and pass two-step verification.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const root = process.env.VARN_SOURCE_ROOT;
const bin = process.env.VARN_BIN;
const require = createRequire(path.join(root, 'web', 'package.json'));

/** Runs `varn init` on a new database, then `varn serve` on a free port. */
export async function startVarn(env = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'varn-e2e-'));
  const db = path.join(dir, 'varn.db');
  const fullEnv = { ...process.env, ...env };
  execFileSync(bin, ['--db', db, 'init'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = spawn(bin, ['--db', db, 'serve', '--listen', '127.0.0.1:0'], {
    env: fullEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('varn serve did not start: ' + log)), 15000);
    child.on('exit', (code) => reject(new Error(`varn serve exited (${code}): ${log}`)));
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/"msg":"listening".*?"port":(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
  });
  return {
    baseUrl,
    /** Runs a varn command on the same database, e.g. ['token', 'create', ...]; its stdout. */
    cli: (args) => execFileSync(bin, ['--db', db, ...args], { env: fullEnv, encoding: 'utf8' }),
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser context that records, for every page in it: CSP violations (the
 * securitypolicyviolation event and Chromium's console report), console errors, uncaught
 * exceptions, failed requests and 5xx answers. A 4xx answer of the API is the UI's business
 * (the login page starts with 401 from /api/v1/me), so Chromium's "Failed to load resource"
 * line for it is not counted.
 */
export async function strictContext(browser, options = {}) {
  const context = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm', ...options });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'}`);
    });
  });
  const problems = [];
  context.on('page', (page) => watchPage(page, problems));
  return { context, problems };
}

function watchPage(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && !/Content Security Policy/i.test(msg.text())) return;
    const url = msg.location()?.url ?? '';
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) && url.includes('/api/v1/')) {
      return;
    }
    problems.push(`console: ${msg.text()} (${url})`);
  });
  page.on('pageerror', (err) => problems.push('uncaught: ' + String(err)));
  page.on('requestfailed', (req) => {
    // A download (the CSV export) is not a failure.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && req.url().includes('format=csv')) return;
    problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
}

/** Asserts that nothing went wrong on the page since the last check. */
export async function assertClean(page, problems, label) {
  const csp = await page.evaluate(() => window.__cspViolations?.splice(0) ?? []);
  const found = [...csp.map((v) => 'CSP violation: ' + v), ...problems.splice(0)];
  assert.deepEqual(found, [], `${label}: no CSP violations or console errors`);
}

const axeSource = () => readFileSync(path.join(root, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page (WCAG 2.0/2.1 A and AA) and fails with a readable list. The page must
 * come from a context made with bypassCSP, which only this injection needs.
 */
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource());
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ` +
      v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' – ' + n.failureSummary.replace(/\n/g, ' ')).join('\n    '));
  });
  assert.deepEqual(result, [], `${label}: axe-core found WCAG 2.1 AA violations:\n${result.join('\n')}`);
}

/** A screenshot of the whole page into $VARN_SCREENSHOT_DIR, when that is set. */
export async function screenshot(page, name) {
  const dir = process.env.VARN_SCREENSHOT_DIR;
  if (dir && existsSync(dir)) await page.screenshot({ path: path.join(dir, name + '.png'), fullPage: true });
}

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('not base32: ' + text);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP: HMAC-SHA-1, 30-second steps, 6 digits. */
export function totp(secret, time = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A TOTP code with at least five seconds left in its step, so that it is still valid on arrival. */
export async function freshTotp(secret) {
  const left = 30 - ((Date.now() / 1000) % 30);
  if (left < 5) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 200));
  return totp(secret);
}

/** A TOTP code from a later 30-second step than `after` (a step already used is refused). */
export async function totpAfter(secret, after) {
  while (Math.floor(Date.now() / 30000) <= after) await new Promise((resolve) => setTimeout(resolve, 500));
  return freshTotp(secret);
}

export const totpStep = () => Math.floor(Date.now() / 30000);

// ---- the pages, the way a user finds them ----

export async function heading(p, name) {
  // Exact: "Löneuppgifter" must not be satisfied by the edit page's "Ändra Löneuppgifter".
  await p.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** Follows a link of the main menu and waits for the page's heading and title. */
export async function menu(p, link, title) {
  await p.getByRole('navigation', { name: /Huvudmeny|Main menu/ }).getByRole('link', { name: link, exact: true }).click();
  await heading(p, title);
  assert.equal(await p.title(), `${title} – Värn`);
}

/** The texts a field points to with aria-describedby. */
export async function describedBy(locator) {
  const ids = (await locator.getAttribute('aria-describedby')) ?? '';
  const p = locator.page();
  return Promise.all(ids.split(' ').filter(Boolean).map((id) => p.locator('#' + id).textContent()));
}

export function row(p, text) {
  return p.locator('tbody tr', { hasText: text });
}

/**
 * The first login of an account: password, enrolment of two-step verification with a computed
 * TOTP code, the recovery codes confirmed. Returns the secret and the TOTP step used.
 */
export async function firstLogin(p, username, password) {
  await heading(p, 'Logga in');
  await p.getByLabel('Användarnamn').fill(username);
  await p.getByLabel('Lösenord').fill(password);
  await p.getByRole('button', { name: 'Logga in' }).click();
  await heading(p, 'Aktivera tvåstegsverifiering');
  const secret = (await p.locator('#mfa-secret').textContent()).replace(/\s/g, '');
  await p.getByLabel('Engångskod').fill(await freshTotp(secret));
  const step = totpStep();
  await p.getByRole('button', { name: 'Aktivera tvåstegsverifiering' }).click();
  await heading(p, 'Spara dina återställningskoder');
  await p.getByLabel('Jag har sparat mina återställningskoder på ett säkert ställe.').check();
  await p.getByRole('button', { name: 'Fortsätt till Värn' }).click();
  await heading(p, 'Översikt');
  return { secret, step };
}

/** A later login: password and a TOTP code from a step after `step`. Returns the step used. */
export async function login(p, username, password, secret, step) {
  await heading(p, 'Logga in');
  await p.getByLabel('Användarnamn').fill(username);
  await p.getByLabel('Lösenord').fill(password);
  await p.getByRole('button', { name: 'Logga in' }).click();
  await heading(p, 'Tvåstegsverifiering');
  await p.getByLabel('Engångskod').fill(await totpAfter(secret, step));
  const used = totpStep();
  await p.getByRole('button', { name: 'Verifiera' }).click();
  await heading(p, 'Översikt');
  return used;
}
