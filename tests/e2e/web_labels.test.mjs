// Data in the UI's language in a real browser (chromium, 390x844): gift
// names on the tip sheet, shop items and the profile's team and position on
// Me, and team names on the trainer's analytics show in Chinese or English
// as the UI is; a label an admin changes shows at the next visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';
import { waitForDemo } from './lib/poll.mjs';
import { browserMissing, screenshots, phonePool } from './lib/browser.mjs';

let s;
const phones = phonePool();

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 1, args: ['--transcode-workers', '1'] });
  await Promise.all([phones.launch(), waitForDemo(s)]);
});

after(async () => {
  await phones.close();
  await s?.dispose();
});

const open = (user, lang) => phones.open(s, user, { lang });

async function trainerAnalytics(lang) {
  const page = await open('trainer1', lang);
  await page.click('a[data-tab=trainer]');
  await page.locator('#view-trainer[data-ready="1"]').waitFor();
  await page.click('.subtabs button[data-page=analytics]');
  await page.locator('#trainer-body .loading').waitFor({ state: 'detached' });
  await page.locator('#team-activity .bar-label').first().waitFor();
  return page;
}

const teamBars = (page) => page.locator('#team-activity .bar-label').allTextContents();

const WORDS = {
  zh: { gift: '鲜花', item: '食堂咖啡券', profile: '账务组 · 客服专员', team: '技术支持组' },
  en: { gift: 'Flower', item: 'Canteen coffee voucher', profile: 'Billing · Agent', team: 'Technical Support' },
};

for (const lang of ['zh', 'en']) {
  test(`${lang}: gifts, shop items, the profile's team and position, and team names in the UI's language`, { skip: browserMissing }, async () => {
    const w = WORDS[lang];
    const page = await open('agent3', lang); // not the demo clip's creator, so the clip can be tipped
    const slide = page.locator('.slide').first();
    // the creator's team on the clip, in the UI's language once its labels come
    const teams = (await api(s, 'GET', '/api/v1/teams/labels', { token: await login(s, 'agent3') })).json.items;
    const bare = await slide.locator('.team').getAttribute('data-team');
    const labels = teams.find((x) => x.name === bare)?.labels;
    assert.ok(labels?.zh, `the demo creator's team ${bare} has a Chinese name`);
    await slide.locator('.team', { hasText: lang === 'zh' ? labels.zh : labels.en || bare }).waitFor();
    await slide.locator('.action.tip').click();
    const tip = page.locator('.tip-sheet');
    await tip.locator('.gift[data-gift=flower]', { hasText: w.gift }).waitFor();
    await page.screenshot({ path: join(screenshots, `60-labels-tip-${lang}.png`) });
    await tip.locator('.sheet-head button').click();
    await tip.waitFor({ state: 'detached' });

    await page.click('.tab[data-tab=me]');
    await page.locator('#shop li', { hasText: w.item }).waitFor();
    assert.equal(await page.locator('.me-name + p').textContent(), w.profile);
    await page.screenshot({ path: join(screenshots, `61-labels-me-${lang}.png`), fullPage: true });

    const trainer = await trainerAnalytics(lang);
    assert.ok((await teamBars(trainer)).includes(w.team), `${w.team} in ${await teamBars(trainer)}`);
    assert.deepEqual([...page.errors, ...trainer.errors], []);
  });
}

test('an admin gives a team a new Chinese name; the trainer sees it, the English name stays', { skip: browserMissing }, async () => {
  const page = await open('admin', 'en');
  await page.click('a[data-tab=admin]');
  await page.locator('#view-admin[data-ready="1"]').waitFor();
  await page.click('.subtabs button[data-page=teams]');
  await page.locator('#admin-body .loading').waitFor({ state: 'detached' });
  const support = page.locator('#team-list li.team-row', { has: page.locator('input[name=name][value="Technical Support"]') });
  await support.getByLabel('Chinese name').fill('技术支持一组');
  await support.getByRole('button', { name: 'Save' }).click();
  await page.locator('#team-list li.team-row input[name=label_zh][value="技术支持一组"]').waitFor();
  const admin = await login(s, 'admin');
  const team = (await api(s, 'GET', '/api/v1/teams', { token: admin })).json.items.find((x) => x.name === 'Technical Support');
  assert.deepEqual(team.labels, { en: 'Technical Support', zh: '技术支持一组' });

  const zh = await trainerAnalytics('zh');
  assert.ok((await teamBars(zh)).includes('技术支持一组'));
  const en = await trainerAnalytics('en');
  assert.ok((await teamBars(en)).includes('Technical Support'));

  // positions: relabel one; one that people hold cannot be deleted, and the page says why
  await page.click('.subtabs button[data-page=positions]');
  await page.locator('#admin-body .loading').waitFor({ state: 'detached' });
  const lead = page.locator('#position-list li.position-row[data-name="Team lead"]');
  await lead.getByLabel('Chinese name').fill('班组长');
  await lead.getByRole('button', { name: 'Save' }).click();
  await page.locator('#position-list li.position-row[data-name="Team lead"] input[name=label_zh][value="班组长"]').waitFor();
  const positions = (await api(s, 'GET', '/api/v1/positions', { token: admin })).json.items;
  assert.deepEqual(positions.find((x) => x.name === 'Team lead').labels, { en: 'Team lead', zh: '班组长' });
  const held = page.locator('#position-list li.position-row[data-name="Team lead"]');
  await held.getByRole('button', { name: 'Delete' }).click();
  await held.locator('.form-error', { hasText: 'People hold this position' }).waitFor();
  assert.equal((await api(s, 'GET', '/api/v1/positions', { token: admin })).json.items.length, positions.length);
  await page.screenshot({ path: join(screenshots, '62-labels-positions-en.png'), fullPage: true });
  const pageErrors = page.errors.filter((e) => !/status of 409/.test(e));
  assert.deepEqual([...pageErrors, ...zh.errors, ...en.errors], []);
});
