// The dashboard as a user meets it, in Debian's headless chromium driven
// by playwright-core. Usage: node dashboard.mjs CONFIG.json, where the
// config names the server (base), its token, a folder for screenshots
// (shots), the pages to open, the text that must show as text (xss) and
// on which pages, a deployment to click through, and a paused run to
// follow live (live: {run, pidfile}). Prints one line per check, "ok" or
// "FAILED", and exits 1 if any failed. Numbers that change from run to
// run (sizes, times) go to stderr.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const origin = new URL(cfg.base).origin;
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAILED'} ${what}`);
  if (!ok) failed++;
};
const api = async (path, opt = {}) => {
  const r = await fetch(cfg.base + path, {
    ...opt,
    headers: { Authorization: `Bearer ${cfg.token}`, ...(opt.headers || {}) },
  });
  return { status: r.status, body: await r.json().catch(() => null) };
};
mkdirSync(cfg.shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const outside = [], problems = [];
let bytes = 0;
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin + '/')) return route.continue();
  outside.push(url);
  return route.abort();
});
const page = await context.newPage();
page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
page.on('pageerror', (e) => problems.push(String(e)));
page.on('response', async (r) => {
  try { bytes += (await r.body()).length; } catch (e) { /* a redirect */ }
});
let confirmAnswer = true;
const dialogs = [];
page.on('dialog', async (d) => {
  dialogs.push(d.type() + ': ' + d.message());
  if (d.type() === 'confirm' && confirmAnswer) await d.accept();
  else await d.dismiss();
});

// every page: it loads, says nothing wrong, asks nothing outside, is
// accessible, and its screenshot is kept
for (const p of cfg.pages) {
  problems.length = 0;
  dialogs.length = 0;
  bytes = 0;
  const before = outside.length;
  const r = await page.goto(cfg.base + p.path, { waitUntil: 'load' });
  check(r.status() === 200, `${p.name}: HTTP 200`);
  const h1 = await page.locator('h1').first().textContent().catch(() => '');
  check(h1 && h1.length > 0, `${p.name}: has a heading`);
  check(problems.length === 0, `${p.name}: no console error${problems.length ? ' (' + problems.join('; ') + ')' : ''}`);
  check(outside.length === before, `${p.name}: no request leaves the server`);
  check(dialogs.length === 0, `${p.name}: no dialog`);
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.nodes.length})`);
  });
  check(axe.length === 0, `${p.name}: axe finds no serious or critical violation${axe.length ? ': ' + axe.join(', ') : ''}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `${p.name}: no horizontal scrolling`);
  for (const t of p.text || [])
    check((await page.evaluate(() => document.body.innerText)).includes(t), `${p.name}: shows "${t}"`);
  if (p.charts)
    check(await page.locator('figure.chart svg').count() >= p.charts, `${p.name}: at least ${p.charts} chart(s)`);
  await page.screenshot({ path: `${cfg.shots}/${p.name}.png`, fullPage: true });
  process.stderr.write(`${p.name}: ${bytes} bytes transferred\n`);
}

// markup from the data shows as text and runs nothing
for (const x of cfg.xss || []) {
  await page.goto(cfg.base + x.path, { waitUntil: 'load' });
  const r = await page.evaluate((t) => ({
    ran: window.__xss !== undefined,
    img: document.querySelectorAll('img').length,
    shown: document.body.innerText.includes(t),
  }), x.text);
  check(!r.ran && r.img === 0, `${x.name}: the markup runs nothing`);
  check(r.shown, `${x.name}: the markup shows as text`);
}

// a button without a session: the login page, then back
const dep = '/deployments/' + cfg.deployment;
await page.goto(cfg.base + dep);
await page.getByRole('button', { name: 'Pause', exact: true }).click();
await page.waitForURL(/\/login\?next=/);
check(true, 'Pause without a session leads to the login page');
await page.fill('#token', 'not-the-token');
await Promise.all([page.waitForURL(/failed=1/), page.click('form.login button')]);
check(await page.locator('.bad').count() === 1, 'a wrong token is refused');
await page.fill('#token', cfg.token);
await Promise.all([page.waitForURL(cfg.base + dep), page.click('form.login button')]);
check(true, 'the token logs in and goes back to the page');
const cookie = (await context.cookies()).find((c) => c.name === 'pm25_session');
check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
check(cookie && !cookie.value.includes(cfg.token), 'the session cookie does not hold the token');
const forged = await fetch(`${cfg.base}/api/deployments/${cfg.deployment}/pause`, {
  method: 'POST', headers: { Cookie: `pm25_session=${cookie.value}`, Origin: 'http://evil.example' },
});
check(forged.status === 403, 'the cookie from another Origin is refused (403)');
const state = async () => (await api(`/api/deployments/${cfg.deployment}`)).body;
check((await state()).paused === false, 'the deployment is still active');

// the buttons through clicks, each checked through the API
const click = async (name) => {
  await page.goto(cfg.base + dep);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
};
confirmAnswer = false;
await page.goto(cfg.base + dep);
await page.getByRole('button', { name: 'Pause', exact: true }).click();
await page.waitForTimeout(300);
check((await state()).paused === false, 'Pause, not confirmed, changes nothing');
confirmAnswer = true;
await click('Pause');
check((await state()).paused === true, 'Pause pauses the deployment');
await click('Resume');
check((await state()).paused === false, 'Resume resumes it');
const v0 = (await state()).version;
await click('Promote to etl-pool-stage');
let s = await state();
check(s.work_pool === 'etl-pool-stage' && s.version === v0 + 1, 'Promote moves it to etl-pool-stage as a new version');
await click(`Roll back to v${v0}`);
s = await state();
check(s.work_pool === 'etl-pool-dev' && s.version === v0 + 2, `Roll back to v${v0} brings etl-pool-dev back as a new version`);
await page.goto(cfg.base + dep);
await page.screenshot({ path: `${cfg.shots}/deployment-after-clicks.png`, fullPage: true });

// a running run's log, followed live
if (cfg.live) {
  await page.goto(`${cfg.base}/runs/${cfg.live.run}`, { waitUntil: 'load' });
  const rows = () => page.locator('#live tbody tr').count();
  const n0 = await rows();
  check(await page.locator('#live[data-stream]').count() === 1, 'a running run\'s page follows its log');
  const pid = Number(readFileSync(cfg.live.pidfile, 'utf8').split(' ')[0]);
  process.kill(pid, 'SIGCONT');
  await page.waitForFunction((n) => document.querySelectorAll('#live tbody tr').length > n, n0, { timeout: 20000 })
    .catch(() => {});
  check(await rows() > n0, 'new log lines appear without a reload');
  await page.waitForFunction(() => /ended/.test(document.getElementById('live-status').textContent), null, { timeout: 20000 })
    .catch(() => {});
  check(/ended/.test(await page.locator('#live-status').textContent()), 'the page says when the run has ended');
  const text = await page.locator('#live tbody').innerText();
  check(/gate/.test(text), 'the lines of the tasks after the pause are there (gate)');
  await page.screenshot({ path: `${cfg.shots}/run-live.png`, fullPage: true });
}

await browser.close();
process.exit(failed ? 1 : 0);
