// The page as a learner first sees it, on a laptop and on a phone: screenshots
// of the landing page and of three shared links, and for every lab on the map
// the numbers the phone goals are about (the page's width at 390 px, where
// the lab's title and its Run button end). Run it in a folder with a built
// dist/ (the current build, or an older one to compare):
//   node scripts/screenshots.mjs OUT_DIR [PREFIX]
// It prints one JSON line a lab, then a summary line.
import fs from 'node:fs';
import path from 'node:path';
import { headless } from './headless.mjs';

const [out = 'screenshots', prefix = ''] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
const { browser, base, close } = await headless(8769);
const page = await browser.newPage();
const shot = async (name, hash, width, height) => {
  await page.setViewportSize({ width, height });
  await page.goto(base + hash);
  await page.waitForSelector('main#lab h2');
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(out, `${prefix}${name}.png`) });
};
await shot('landing-1280', '', 1280, 900);
await shot('landing-390', '', 390, 844);
for (const [name, hash] of [['gpt-390', '#lab=gpt'], ['cot-390', '#lab=cot'], ['eval-390', '#lab=eval']]) {
  await shot(name, hash, 390, 844);
}

await page.setViewportSize({ width: 390, height: 844 });
const ids = await page.$$eval('.course-map li[data-lab]', (lis) => lis.map((li) => li.dataset.lab));
const rows = [];
for (const id of ids) {
  await page.goto(base + `#lab=${id}&backend=cpu`);
  await page.waitForFunction((id) => document.querySelector('main#lab')?.dataset.lab === id && document.querySelector('main h2'), id);
  await page.waitForTimeout(300);
  const row = await page.evaluate(() => {
    const bottom = (sel) => Math.round(document.querySelector(sel).getBoundingClientRect().bottom + scrollY);
    return { width: document.documentElement.scrollWidth, title: bottom('main h2'), run: bottom('[data-action="run"]'), settings: [...document.querySelectorAll('.controls [data-setting]')].filter((e) => e.checkVisibility()).length };
  });
  rows.push({ id, ...row });
  console.log(JSON.stringify({ lab: id, ...row }));
}
const count = (f) => rows.filter(f).length;
console.log(JSON.stringify({
  labs: rows.length,
  sideways: count((r) => r.width > 390),
  title_on_first_screen: count((r) => r.title <= 844),
  run_by_second_screen: count((r) => r.run <= 1688),
  widest: Math.max(...rows.map((r) => r.width)),
  most_settings_shown: Math.max(...rows.map((r) => r.settings)),
}));
await close();
