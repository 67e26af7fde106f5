// The trainer's people list and the admin's person details in a real browser
// (chromium, 390x844), in Chinese and English: the list changes order with
// the sort, counts only the days asked for (saying so when nobody learned
// then), pages on with "more" and shows team names in full; an admin sets a
// new person's hire date, employee id, interests and skills to improve, and
// reads and changes them again; a CSV import names each bad line's reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { startServer, api, login } from './lib/server.mjs';
import { browserMissing, screenshots, phonePool } from './lib/browser.mjs';

let s, admin;
const phones = phonePool();
const TEAM = '客户体验与投诉升级处理中心第二分部（夜班与周末轮值）';
const DAYS = 86400;
const now = Math.floor(Date.now() / 1000);
// days as the server counts them, in its zone (Asia/Shanghai)
const day = (t) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t * 1000));
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q]);

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 0 });
  admin = await login(s, 'admin');
  const team = (await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: TEAM } })).json.id;
  // 30 learners in that team: "Finisher" completes the most, "Starter" starts the most and
  // finishes few, "Old timer" only learned three weeks ago, the rest once yesterday
  const names = ['Finisher', 'Starter', 'Old timer', ...Array.from({ length: 27 }, (_, i) => `Learner ${String(i).padStart(2, '0')}`)];
  let q = 'BEGIN;';
  for (const [i, name] of names.entries())
    q += `INSERT INTO users(username, display_name, role, password_hash, created_at, team_id)
          VALUES ('pp${i}', '${name}', 'agent', 'x', ${now - 40 * DAYS}, ${team});`;
  q += `INSERT INTO videos(owner_id, title, description, status, progress, filename, source_bytes, duration,
          source_duration, width, height, has_audio, renditions, created_at, updated_at, published_at)
        SELECT users.id, 'People clip ' || k.value, '', 'published', 100, 'c.mp4', 1, 60, 60, 720, 1280, 1, '[]',
          ${now - 60 * DAYS}, ${now - 60 * DAYS}, ${now - 60 * DAYS}
        FROM users, json_each('[${Array.from({ length: 40 }, (_, i) => i).join(',')}]') k WHERE username = 'trainer1';`;
  const watch = (user, clips, completed, at) => `INSERT INTO watches(user_id, video_id, started_at, last_at, watched, starts, completed_at, first_at)
      SELECT u.id, v.id, ${at * 1000}, ${at * 1000}, 30, 1, CASE WHEN v.rn <= ${completed} THEN ${at + 60} END, ${at * 1000}
      FROM users u, (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM videos WHERE title LIKE 'People clip %') v
      WHERE u.username = '${user}' AND v.rn <= ${clips};`;
  const yesterday = now - DAYS;
  q += watch('pp0', 30, 30, yesterday) + watch('pp1', 40, 5, yesterday) + watch('pp2', 1, 1, now - 21 * DAYS);
  for (let i = 3; i < names.length; i++) q += watch(`pp${i}`, 1, 1, yesterday);
  sql(q + 'COMMIT;');
  await phones.launch();
});

after(async () => {
  await phones.close();
  await s?.dispose();
});

/** A phone logged in as `user` in `lang`, on sub-tab `sub` of `tab` (trainer or admin). */
async function open(user, lang, tab, sub) {
  const page = await phones.open(s, user, { lang });
  await page.click(`a[data-tab=${tab}]`);
  await page.locator(`#view-${tab}[data-ready="1"]`).waitFor();
  await page.click(`.subtabs button[data-page=${sub}]`);
  await page.locator(`#${tab}-body .loading`).waitFor({ state: 'detached' });
  return page;
}

const rows = (page) => page.locator('#people-list li.person-row');
const firstName = (page) => rows(page).first().locator('strong').textContent();

test('learners (en): the sort changes the order, with numbers and full team names; "more" pages on', { skip: browserMissing }, async () => {
  const page = await open('trainer1', 'en', 'trainer', 'people');
  assert.equal(await page.locator('.subtabs button[data-page=people]').textContent(), 'Learners');
  // most completions first by default
  await rows(page).first().waitFor();
  assert.equal(await firstName(page), 'Finisher');
  const first = rows(page).first();
  assert.match(await first.locator('.person-numbers').textContent(), /30 started · 30 completed · 100% completion/);
  // the whole team name, not cut short
  const team = first.locator('.person-team');
  assert.equal(await team.textContent(), TEAM);
  assert.ok(await team.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), 'the team name fits without being cut');
  // by clips started, "Starter" leads; lowest first, they go to the end
  await page.getByLabel('Sort by').selectOption({ label: 'Clips started' });
  await page.waitForFunction(() => document.querySelector('#people-list li.person-row strong')?.textContent === 'Starter');
  assert.match(await rows(page).first().locator('.person-numbers').textContent(), /40 started · 5 completed · 13% completion/);
  await page.getByLabel('Order').selectOption({ label: 'Lowest first' });
  await page.waitForFunction(() => document.querySelector('#people-list li.person-row strong')?.textContent !== 'Starter');
  // a page at a time: "more" brings the rest, then goes away
  const total = (await api(s, 'GET', '/api/v1/analytics/users?sort=starts&limit=500', { token: await login(s, 'trainer1') })).json.items.length;
  assert.ok(total > 20, `${total} learners`);
  assert.equal(await rows(page).count(), 20);
  while (await page.locator('#people-more').isVisible()) {
    const n = await rows(page).count();
    await page.click('#people-more');
    await page.waitForFunction((m) => document.querySelectorAll('#people-list li.person-row').length > m, n);
  }
  assert.equal(await rows(page).count(), total);
  assert.equal(await rows(page).last().locator('strong').textContent(), 'Starter');
  // the CSV is this list: the same people in the same order
  const shown = await rows(page).evaluateAll((els) => els.map((el) => el.dataset.id));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#people-csv')]);
  const csv = (await readFile(await download.path(), 'utf8')).trim().split('\r\n').slice(1);
  assert.deepEqual(csv.map((line) => line.split(',')[0]), shown);
  await page.screenshot({ path: join(screenshots, '60-trainer-learners-en.png') });
  assert.deepEqual(page.errors, []);
});

test('learners (zh): a date range lists only who learned on those days, or says nobody did', { skip: browserMissing }, async () => {
  const page = await open('trainer1', 'zh', 'trainer', 'people');
  await rows(page).first().waitFor();
  assert.equal(await rows(page).count(), 20);
  // three weeks ago: only the old timer
  await page.getByLabel('活动日期从').fill(day(now - 25 * DAYS));
  await page.getByLabel('活动日期到').fill(day(now - 15 * DAYS));
  await page.waitForFunction(() => document.querySelectorAll('#people-list li.person-row').length === 1);
  assert.equal(await firstName(page), 'Old timer');
  assert.match(await page.locator('#people-range-note').textContent(), /只列出这段时间学过的人/);
  assert.match(await rows(page).first().locator('.person-numbers').textContent(), /开始 1 次 · 完播 1 次/);
  // nobody learned two months ago
  await page.getByLabel('活动日期从').fill(day(now - 70 * DAYS));
  await page.getByLabel('活动日期到').fill(day(now - 65 * DAYS));
  await page.locator('#people-empty', { hasText: '这段时间没有人学习' }).waitFor();
  assert.equal(await rows(page).count(), 0);
  assert.deepEqual(page.errors, []);
});

test('people (zh): a new person\'s hire date, employee id, interests and skills to improve are saved and edited', { skip: browserMissing }, async () => {
  const page = await open('admin', 'zh', 'admin', 'users');
  const form = page.locator('#user-create');
  await form.getByLabel('用户名').fill('new.hire');
  await form.getByLabel('显示名称').fill('新同事');
  await form.getByLabel('入职日期').fill('2026-03-02');
  await form.getByLabel('工号').fill('E-1024');
  // the tags read in Chinese
  await form.locator('[data-list=interests]').getByText('退款与退货').click();
  await form.locator('[data-list=interests]').getByText('产品知识').click();
  await form.locator('[data-list=weak_skills]').getByText('安抚情绪激动的客户').click();
  await form.getByRole('button', { name: '新建人员' }).click();
  await page.locator('#toast', { hasText: '已创建 新同事' }).waitFor();
  const find = async () => {
    const id = (await api(s, 'GET', '/api/v1/users?q=new.hire', { token: admin })).json.items[0].id;
    return (await api(s, 'GET', `/api/v1/users/${id}`, { token: admin })).json;
  };
  let u = await find();
  assert.equal(u.hire_date, '2026-03-02');
  assert.equal(u.employee_id, 'E-1024');
  assert.deepEqual(u.interests, ['product-knowledge', 'refunds']);
  assert.deepEqual(u.weak_skills, ['de-escalation']);
  // the person's profile shows what was saved and changes it
  await page.getByLabel('搜索姓名或用户名').fill('new.hire');
  const row = page.locator('#user-list li.user-row[data-username="new.hire"]');
  await row.getByRole('button', { name: '档案' }).click();
  const sheet = page.getByRole('dialog', { name: '新同事 的档案' });
  await sheet.getByLabel('工号').waitFor();
  assert.equal(await sheet.getByLabel('入职日期').inputValue(), '2026-03-02');
  assert.equal(await sheet.getByLabel('工号').inputValue(), 'E-1024');
  assert.equal(await sheet.locator('[data-list=interests]').getByLabel('退款与退货').isChecked(), true);
  assert.equal(await sheet.locator('[data-list=weak_skills]').getByLabel('退款与退货').isChecked(), false);
  await page.screenshot({ path: join(screenshots, '61-admin-profile-zh.png') });
  await sheet.getByLabel('工号').fill('E-2048');
  await sheet.locator('[data-list=interests]').getByText('退款与退货').click();
  await sheet.locator('[data-list=weak_skills]').getByText('账单问题').click();
  await sheet.getByRole('button', { name: '保存' }).click();
  await page.locator('#toast', { hasText: '已保存' }).waitFor();
  u = await find();
  assert.equal(u.employee_id, 'E-2048');
  assert.deepEqual(u.interests, ['product-knowledge']);
  assert.deepEqual(u.weak_skills, ['billing', 'de-escalation']);
  assert.deepEqual(page.errors, []);
});

test('people import: each bad line says why, in Chinese where the server gives a reason type, else in its own words', { skip: browserMissing }, async () => {
  for (const lang of ['zh', 'en']) {
    const page = await open('admin', lang, 'admin', 'users');
    const box = page.locator('#user-import');
    const go = async (csv) => {
      await box.locator('input[type=file]').setInputFiles({ name: 'p.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await box.getByRole('button', { name: lang === 'zh' ? '导入' : 'Import', exact: true }).click();
    };
    // checked before writing: a bad date (the server's words) and a weak password (in the UI's language)
    await go('username,display_name,hire_date,password\nfine.one,Fine,2026-01-02,\nbad.date,Bad,2026-13-01,\nweak.pw,Weak,,password\n');
    const line = (n) => page.locator('#import-result li', { hasText: lang === 'zh' ? `第 ${n} 行` : `Line ${n}` });
    await line(3).waitFor();
    assert.equal(await line(3).textContent(), lang === 'zh' ? '第 3 行 · 入职日期：a date like 2024-03-31' : 'Line 3 · Hire date: a date like 2024-03-31');
    assert.match(await line(4).textContent(), lang === 'zh' ? /^第 4 行 · 密码：密码太容易被猜到/ : /^Line 4 · Password: That password is too easy to guess/);
    // refused when written: a username somebody has
    await go('username,display_name\nfresh.one,Fresh\nagent2,Dup\n');
    await line(3).waitFor();
    assert.equal(await line(3).textContent(), lang === 'zh' ? '第 3 行 · 用户名：已被其他人使用' : 'Line 3 · Username: already used by someone else');
    assert.equal((await api(s, 'GET', '/api/v1/users?q=fresh.one', { token: admin })).json.items.length, 0, 'nothing was imported');
    assert.deepEqual(page.errors.filter((e) => !/status of 4\d\d/.test(e)), []);
  }
});
