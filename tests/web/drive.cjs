// Drives a page of `ruimte web` in a real headless Chromium (Debian's chromium) through the
// DevTools protocol (puppeteer-core from web/node_modules), for tests/cli/web_*.sh and
// scripts/bench-web.sh.
//
//   node drive.cjs PAGE.html OUT.json [--settings SETTINGS.json] [--screenshot OUT.png]
//                  [--bench N] [--click ID] [--interact]
//
// OUT.json: console errors and page errors, every request that left the file (anything but
// the page itself, data: and blob:), the time the page took to be ready, the stored ranks and
// the page's ranks with the profile's weights, and per setting of SETTINGS.json
// ([{"weights": [...], "aggregation": "..."}]) the page's ranking, the exported profile and
// CSV. --bench N: N weight changes, their times (performance.now() in the page).
'use strict';
const path = require('path');
const fs = require('fs');
const puppeteer = require(path.join(__dirname, '..', '..', 'web', 'node_modules', 'puppeteer-core'));

async function main() {
  const args = process.argv.slice(2);
  const page_path = path.resolve(args[0]);
  const out_path = args[1];
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : null;
  };
  const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--window-size=1400,900'],
    defaultViewport: { width: 1400, height: 900 },
  });
  const result = { console_errors: [], page_errors: [], requests: [], settings: [] };
  try {
    const page = await browser.newPage();
    const url = 'file://' + page_path;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') result.console_errors.push(m.type() + ': ' + m.text());
    });
    page.on('pageerror', (e) => result.page_errors.push(String(e)));
    page.on('request', (r) => {
      const u = r.url();
      if (u !== url && !u.startsWith('data:') && !u.startsWith('blob:')) result.requests.push(u);
    });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    await page.waitForFunction('window.ruimte && window.ruimte.ready', { timeout: 60000 });
    result.wall_ready_ms = Date.now() - t0;
    result.ready_ms = await page.evaluate('window.ruimte.readyMs');
    result.marks = await page.evaluate('window.ruimte.marks');
    result.factors = await page.evaluate('window.ruimte.factors');
    result.stored_ranks = await page.evaluate('window.ruimte.storedRanks()');
    result.profile_ranks = await page.evaluate('window.ruimte.profileRanks()');
    result.initial = await page.evaluate('window.ruimte.ranking()');
    result.texts = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      title: document.getElementById('title').textContent,
      weights: document.getElementById('t-weights').textContent,
      synthetic: document.getElementById('synthetic').textContent,
      layers: document.getElementById('layers').textContent,
      manifest: document.getElementById('manifest-body').textContent,
    }));
    const click = opt('--click');
    if (click) {
      await page.evaluate((id) => window.ruimte.choose(id), click);
      result.candidate_text = await page.evaluate('window.ruimte.candidateText()');
    }
    const shot = opt('--screenshot');
    if (shot) await page.screenshot({ path: shot });
    if (args.includes('--interact')) {
      // As a person would: the first slider moved with the keyboard (5 steps right), then a
      // click on the map on a candidate (zoomed to it first), after OpenLayers' double-click
      // wait.
      const before = await page.evaluate('window.ruimte.weights()');
      await page.focus('#factors input[type=range]');
      for (let i = 0; i < 5; ++i) await page.keyboard.press('ArrowRight');
      const after = await page.evaluate('window.ruimte.weights()');
      const ranking = await page.evaluate('window.ruimte.ranking()');
      await page.evaluate((w) => window.ruimte.setWeights(w), after);
      const again = await page.evaluate('window.ruimte.ranking()');
      result.slider = { before: before, after: after, same_as_api: JSON.stringify(ranking) === JSON.stringify(again),
                        counts: await page.evaluate(() => document.getElementById('counts').textContent) };
      await page.evaluate((w) => window.ruimte.setWeights(w), before);
      const id = opt('--click') || String(result.initial[0].id);
      await page.evaluate(() => window.ruimte.choose(null));
      const xy = await page.evaluate((i) => window.ruimte.zoomTo(i), id);
      await page.mouse.click(xy[0], xy[1]);
      await new Promise((r) => setTimeout(r, 800));
      result.map_click = { id: id, text: await page.evaluate('window.ruimte.candidateText()') };
      const rows = () => page.evaluate(() => document.querySelectorAll('#ranking tr td.n:first-child').length);
      const before_more = await rows();
      await page.click('#more');
      result.list_rows = [before_more, await rows()];
      await page.evaluate(() => window.ruimte.setWeights(window.ruimte.weights()));
    }
    const settings = opt('--settings');
    if (settings) {
      for (const s of JSON.parse(fs.readFileSync(settings, 'utf8'))) {
        const ms = await page.evaluate((w, a) => window.ruimte.setWeights(w, a), s.weights, s.aggregation);
        result.settings.push({
          weights: s.weights,
          aggregation: s.aggregation,
          update_ms: ms,
          ranking: await page.evaluate('window.ruimte.ranking()'),
          toml: await page.evaluate('window.ruimte.profileToml()'),
          csv: await page.evaluate('window.ruimte.rankingCsv()'),
        });
      }
    }
    const bench = opt('--bench');
    if (bench) {
      const times = [];
      const parts = [];
      const nf = result.factors.length;
      let seed = 12345;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let i = 0; i < Number(bench); ++i) {
        const w = [];
        for (let f = 0; f < nf; ++f) w.push(Math.round(rnd() * 100) / 100 + 0.01);
        times.push(await page.evaluate((ww) => window.ruimte.setWeights(ww, 'weighted_sum'), w));
        parts.push(await page.evaluate('window.ruimte.breakdown()'));
      }
      const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      result.bench_parts = { score_rank_ms: median(parts.map((p) => p.score_rank_ms)),
                             panels_ms: median(parts.map((p) => p.panels_ms)), map_ms: median(parts.map((p) => p.map_ms)) };
      times.sort((a, b) => a - b);
      result.bench = { changes: times.length, median_ms: times[Math.floor(times.length / 2)], max_ms: times[times.length - 1],
                       min_ms: times[0] };
    }
  } finally {
    await browser.close();
  }
  fs.writeFileSync(out_path, JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
