#!/usr/bin/env node
// Run axe-core (WCAG 2.2 A and AA rules) on HTML files in headless Chromium, at each
// viewport width, with every <details> opened; also measure page-level horizontal
// scrolling (WCAG 1.4.10 reflow). Prints one JSON array of results on stdout.
//
//   node scripts/axe-check.mjs [--widths 320,390,1280] [--screenshots DIR] FILE.html ...
//
// Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package). Offline: the pages are
// self-contained, and any request other than file: or data: is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Best-practice rules run as well: each landmark named uniquely, no empty header cells.
const EXTRA_RULES = ['landmark-unique', 'empty-table-header'];

function parseArgs(argv) {
  const options = { widths: [320, 390, 1280], screenshots: null, files: [] };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--widths') options.widths = argv[++i].split(',').map(Number);
    else if (argv[i] === '--screenshots') options.screenshots = argv[++i];
    else options.files.push(resolve(argv[i]));
  }
  return options;
}

// Elements wider than the viewport that make the whole page scroll sideways.
function measureReflow() {
  const root = document.documentElement;
  const width = root.clientWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && element.offsetParent !== null) {
      let scroller = element.parentElement;
      while (scroller && scroller !== document.body && getComputedStyle(scroller).overflowX === 'visible') {
        scroller = scroller.parentElement;
      }
      if (!scroller || scroller === document.body) {
        const name = element.tagName.toLowerCase() + (element.className && typeof element.className === 'string'
          ? '.' + element.className.trim().split(/\s+/).join('.') : '');
        wide.push(`${name} (${Math.round(box.right)} px)`);
      }
    }
  }
  return { scrollWidth: root.scrollWidth, clientWidth: width, wide: [...new Set(wide)].slice(0, 10) };
}

async function checkPage(browser, file, width, screenshots) {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('file:') || url.startsWith('data:')) request.continue();
    else request.abort();
  });
  await page.setViewport({ width, height: 900 });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(
    (tags, extra) => window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      rules: Object.fromEntries(extra.map((id) => [id, { enabled: true }])),
      resultTypes: ['violations'],
    }),
    TAGS, EXTRA_RULES,
  );
  const reflow = await page.evaluate(measureReflow);
  if (screenshots) {
    await page.screenshot({ path: join(screenshots, `${basename(file, '.html')}-${width}.png`) });
  }
  await page.close();
  return {
    file,
    width,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      count: v.nodes.length,
    })),
    ...reflow,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const profile = mkdtempSync(join(tmpdir(), 'peelgen-axe-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
  try {
    const out = [];
    for (const file of options.files) {
      for (const width of options.widths) {
        out.push(await checkPage(browser, file, width, options.screenshots));
      }
    }
    process.stdout.write(JSON.stringify({ axe: AXE_VERSION, tags: TAGS, extraRules: EXTRA_RULES, results: out }, null, 1) + '\n');
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`axe-check: ${error.stack || error}\n`);
  process.exit(2);
});
