// Open a pm25 EDA report in Debian's headless chromium, offline, and
// check what a reader would see. Usage: node eda-report.mjs REPORT.html
// SCREENSHOT.png [TEXT], where TEXT must show on the page as written
// (a station name full of markup, say). Every chart is rasterised in the page and must carry
// ink; the AQI chart must paint the official colours; nothing may load
// from the network, print an error or run a script. Prints one line per
// check and exits 1 if any fails.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { statSync } from 'node:fs';

const [report, shot, text] = process.argv.slice(2);
const official = ['#bdbdbd', '#00bff3', '#00a651', '#fdc04e', '#f26522', '#cd0000'];
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAILED'} ${what}`);
  if (!ok) failed++;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [], problems = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss(); });
  await page.goto('file://' + resolve(report));

  const r = await page.evaluate(async () => {
    const charts = [];
    for (const svg of document.querySelectorAll('svg')) {
      let h2 = svg.previousElementSibling, el = svg;
      while (el && !(h2 && h2.tagName === 'H2')) {
        h2 = el.previousElementSibling;
        while (h2 && h2.tagName !== 'H2') h2 = h2.previousElementSibling;
        if (!h2) el = el.parentElement;
      }
      const box = svg.getBoundingClientRect();
      const w = Math.ceil(box.width), h = Math.ceil(box.height);
      const img = new Image();
      img.src = 'data:image/svg+xml;charset=utf-8,' +
        encodeURIComponent(new XMLSerializer().serializeToString(svg));
      await img.decode();
      const c = document.createElement('canvas');
      c.width = w; c.height = h;
      const g = c.getContext('2d');
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, w, h);
      g.drawImage(img, 0, 0, w, h);
      const d = g.getImageData(0, 0, w, h).data;
      const colours = {};
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) ink++;
        const hex = '#' + [d[i], d[i + 1], d[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
        colours[hex] = (colours[hex] || 0) + 1;
      }
      charts.push({ section: h2 ? h2.textContent : '', w, h, ink, colours });
    }
    return {
      charts,
      sections: [...document.querySelectorAll('h2')].map((e) => e.textContent),
      text: document.body.innerText,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      scripts: document.querySelectorAll('script').length,
      heat: (() => {
        // the correlation matrix: cells painted by value
        let h2 = [...document.querySelectorAll('h2')].find((e) => e.textContent === 'Correlations');
        let el = h2 && h2.nextElementSibling;
        while (el && el.tagName !== 'TABLE') el = el.nextElementSibling;
        if (!el) return [];
        return [...el.querySelectorAll('td')].map((td) => getComputedStyle(td).backgroundColor);
      })(),
    };
  });

  check(requests.length === 0, `no network requests (${requests.length})`);
  check(problems.length === 0, 'no errors, no dialogs' + (problems.length ? ': ' + problems.join('; ') : ''));
  check(r.scripts === 0, 'no script elements');
  check(r.overflow <= 0, `no horizontal scrolling (${r.overflow} px)`);
  for (const s of ['Missing data', 'Profiles', 'Monthly trend', 'Distribution', 'Thai AQI']) {
    const mine = r.charts.filter((c) => c.section === s);
    check(mine.length > 0 && mine.every((c) => c.w > 100 && c.h > 30 && c.ink > 0.01 * c.w * c.h),
      `${s}: ${mine.length} chart(s) drawn with ink`);
  }
  const tinted = r.heat.filter((c) => c !== 'rgba(0, 0, 0, 0)' && c !== 'rgb(255, 255, 255)');
  check(r.heat.length >= 4 && tinted.length >= r.heat.length / 2,
    `Correlations: ${tinted.length} of ${r.heat.length} cells tinted`);
  const aqi = r.charts.filter((c) => c.section === 'Thai AQI');
  const painted = official.filter((hex) => aqi.some((c) => (c.colours[hex] || 0) > 50));
  check(painted.length >= 2, `Thai AQI bars in the official colours (${painted.join(' ')})`);
  if (text) check(r.text.includes(text), `the page shows ${JSON.stringify(text)} as text`);
  await page.screenshot({ path: shot, fullPage: true });
  check(statSync(shot).size > 20000, 'full-page screenshot written');
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
