// The learning loop's web pages in a real browser (Debian's chromium driven by
// playwright-core at 390x844), in Chinese and in English, against the loop's
// demo world: agent1's one list of assignments (a must-watch clip and the
// paths) and skill gaps on Me (skills by their label in the UI's language);
// the trainer's paths (list, create, assign), push rules (list, history,
// switched off and on) and impact (an effect with its interval, a null effect
// whose interval holds 0, a rule's report, the CSV). No page logs an error to
// the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';
import { waitForDemo } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession, screenshots } from './lib/browser.mjs';

const shots = screenshots;
const missing = browserMissing;

let s, browser, ctx, page, agent1, mustWatch;

before(async () => {
  if (missing) return;
  s = await startServer({ clips: 6, agents: 120, args: ['--transcode-workers', '2'] });
  await waitForDemo(s);
  const tok = await login(s, 'agent1');
  agent1 = (await api(s, 'GET', '/api/v1/me', { token: tok })).json;
  // a must-watch clip for agent1, due in three days: a one-clip path in the same list as the paths
  const trainer = await login(s, 'trainer1');
  const clip = (await api(s, 'GET', '/api/v1/feed?limit=10', { token: trainer })).json.items.find((i) => i.creator.id !== agent1.id);
  const due = new Date(Date.now() + 3 * 86400e3).toISOString().slice(0, 10);
  const made = await api(s, 'POST', '/api/v1/assignments', { token: trainer, json: { video_id: clip.id, user_ids: [agent1.id], due_date: due, note: 'Before the audit' } });
  assert.equal(made.status, 201, made.body);
  mustWatch = { ...made.json.items[0], title: clip.title };
  // a skill with an English label only
  const tag = await api(s, 'POST', '/api/v1/tags', { token: await login(s, 'admin'), json: { name: 'warranty', label: 'Warranty claims' } });
  assert.equal(tag.status, 201, tag.body);
  browser = await launchBrowser();
});

after(async () => {
  await ctx?.close().catch(() => {});
  await browser?.close().catch(() => {});
  if (s && (s.proc.exitCode !== null || s.proc.signalCode !== null)) console.error(`server exited ${s.proc.exitCode} ${s.proc.signalCode}:\n${s.stderr.slice(-3000)}`);
  await s?.dispose();
});

/** A fresh phone-sized context logged in as `user` through the UI, with the UI in `lang`. */
async function loginAs(user, lang) {
  await ctx?.close().catch(() => {});
  ({ ctx, page } = await phoneSession(browser, s, user, { lang, context: { acceptDownloads: true } }));
}

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const toTop = (sel) => page.locator(sel).evaluate((e) => e.scrollIntoView({ block: 'start' }));

/** Opens the trainer tab's sub-page `name` and waits for it. */
async function trainerPage(name, ready) {
  if (!(await page.locator('#view-trainer[data-ready="1"]').count())) {
    await page.click('a[data-tab=trainer]');
    await page.locator('#view-trainer[data-ready="1"]').waitFor();
  }
  await page.click(`nav.subtabs button[data-page=${name}]`);
  await page.locator(ready).first().waitFor();
}

const words = {
  zh: {
    steps: '已完成 0/2 步', watched: '已观看 0/1', must: '必看', due: /^截止 .+ · 培训师指派$/, bySource: '培训师指派', byRule: '根据服务数据自动推送',
    evidence: /^质检得分（退款与退货）：近 7 天平均 \d+(\.\d)?，目标 80；近 14 天中有 \d+ 天未达标；处于团队末段（百分位 \d+）$/,
    refunds: '退款与退货', compliance: '合规与隐私', manual: '由培训师设定', problem: '请检查“名称”：未填写或内容不符合要求', counts: /^进行中 \d+ · 已达标 \d+ · 逾期 \d+$/,
    trigger: /^2\d{3}-\d\d-\d\d 触发，当时 \d+(\.\d)?$/, better: /^完成《Refunds mastery》的客服质检得分（退款与退货）提升了 \+\d/,
    unclear: /看不出明确效果$/, notEnough: /^数据还不够/, summary: /^质检得分（退款与退货） 低于 70（近 7 天中 5 天）→ /,
    on: '启用中', off: '已停用', ruleSentence: /^由规则“Refunds QA under 70”推送并完成学习路径的客服质检得分（退款与退货）/,
  },
  en: {
    steps: '0 of 2 steps done', watched: '0 of 1 watched', must: 'Must watch', due: /^due .+ · assigned by your trainer$/, bySource: 'assigned by your trainer', byRule: 'pushed by your service results',
    evidence: /^QA score \(Refunds & returns\): \d+(\.\d)? on average over the last 7 days, target 80; below target on \d+ of the last 14 days; at the bottom of your team \(percentile \d+\)$/,
    refunds: 'Refunds & returns', compliance: 'Compliance & privacy', manual: 'set by your trainer', problem: 'Please check “Name”: it is missing or not valid', counts: /^\d+ open · \d+ qualified · \d+ overdue$/,
    trigger: /^triggered 2\d{3}-\d\d-\d\d at \d+(\.\d)?$/, better: /^Agents who finished “Refunds mastery” improved QA score \(Refunds & returns\) by \+\d+(\.\d)? against [+-]?\d+(\.\d)? for \d+ comparable agents: a difference of \+\d+(\.\d)? \(95% CI \d+(\.\d)? to \d+(\.\d)?, n=\d+\)$/,
    unclear: /no clear effect$/, notEnough: /^Not enough data yet/, summary: /^QA score \(Refunds & returns\) under 70 \(5 of 7 days\) → /,
    on: 'On', off: 'Off', ruleSentence: /^Agents pushed by the rule “Refunds QA under 70” who finished its path /,
  },
};

for (const lang of ['zh', 'en']) {
  const w = words[lang];

  test(`${lang}: agent1's Me page lists a must-watch clip and the refunds path as assignments with due dates and progress, and the refunds gap with its evidence`, { skip: missing }, async () => {
    await loginAs('agent1', lang);
    await page.click('a[data-tab=me]');
    await page.locator('#view-me[data-ready="1"]').waitFor();
    const rows = page.locator('#my-assignments li.assignment-row');
    const mastery = rows.and(page.locator('[data-kind=series]')).filter({ hasText: 'Refunds mastery' });
    await mastery.waitFor();
    assert.equal(await mastery.locator('.steps-done').textContent(), w.steps);
    assert.match(await mastery.textContent(), new RegExp(w.bySource));
    assert.ok(await mastery.locator('.next-step').count(), 'the next step is named');
    assert.equal(await mastery.locator('[role=progressbar]').getAttribute('aria-valuenow'), '0');
    // the must-watch clip: its title, the badge, the due date, the note and 0 of 1 watched
    const clip = rows.and(page.locator(`[data-kind=clip][data-path="${mustWatch.path_id}"]`));
    assert.equal(await clip.locator('.title').textContent(), mustWatch.title);
    assert.equal(await clip.locator('.badge.must').textContent(), w.must);
    assert.match(await clip.locator('.due').textContent(), w.due);
    assert.equal(await clip.locator('.note').textContent(), 'Before the audit');
    assert.equal(await clip.locator('.steps-done').textContent(), w.watched);
    assert.equal(await clip.locator('[role=progressbar]').getAttribute('aria-valuenow'), '0');
    // one list, unfinished by due date: the kinds side by side, both dated ones before the undated
    const listed = await rows.evaluateAll((els) => els.map((e) => [e.dataset.kind, e.dataset.path]));
    assert.ok(listed.some(([k]) => k === 'clip') && listed.some(([k]) => k === 'series'), JSON.stringify(listed));
    // the rule's path says it came from the service results
    assert.ok(await rows.filter({ hasText: w.byRule }).count(), 'a path pushed by the rule');
    // skills by their label in the UI's language, never by the slug
    const refunds = page.locator('#my-gaps li.gap-row[data-tag=refunds]');
    assert.equal(await refunds.locator('.gap-skill').textContent(), w.refunds);
    const evidence = await refunds.locator('ul.evidence li').allTextContents();
    assert.ok(evidence.length >= 1);
    assert.match(evidence[0], w.evidence);
    // the demo's manual weak skill (compliance) says who set it
    const compliance = page.locator('#my-gaps li.gap-row[data-tag=compliance]');
    assert.equal(await compliance.locator('.gap-skill').textContent(), w.compliance);
    assert.match(await compliance.textContent(), new RegExp(w.manual));
    assert.doesNotMatch(await page.locator('#my-gaps').textContent(), /#|refunds|compliance/);
    await toTop('#assignments-panel');
    await shot(`loop-me-assignments-${lang}`);
    await toTop('#gaps-panel');
    await shot(`loop-me-gaps-${lang}`);
    assert.deepEqual(page.errors, []);
  });

  test(`${lang}: the trainer sees the paths, creates a two-step path with a quiz gate, assigns it (a team, a person) and archives it`, { skip: missing }, async () => {
    await loginAs('trainer1', lang);
    await trainerPage('paths', '#path-list li.path-row');
    assert.ok(await page.locator('#path-list li.path-row', { hasText: 'Refunds mastery' }).count());
    // a nameless path: the server's invalid-field problem, in the UI's words
    await page.click('#path-create');
    await page.locator('#path-editor .form-error', { hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('#path-editor .form-error').textContent(), w.problem);
    const name = `Billing basics ${lang}`;
    await page.fill('#path-editor input[name=name]', name);
    await page.click('#path-add-step');
    const steps = page.locator('#path-steps li');
    assert.equal(await steps.count(), 2);
    await steps.nth(1).locator('input[name=quiz_gate]').check();
    await toTop('#path-editor');
    await shot(`loop-trainer-path-editor-${lang}`);
    await page.click('#path-create');
    const row = page.locator('#path-list li.path-row', { hasText: name });
    await row.waitFor();
    const id = await row.getAttribute('data-path');
    const tok = await login(s, 'trainer1');
    const made = (await api(s, 'GET', `/api/v1/paths/${id}`, { token: tok })).json;
    assert.equal(made.steps.length, 2);
    assert.deepEqual(made.steps.map((x) => Boolean(x.quiz_gate)), [false, true]);
    await row.locator('button[data-assign]').click();
    // Chinese: to the first team; English: to agent1 alone
    if (lang === 'zh') await row.locator('.assign-form input[type=checkbox]').first().check();
    else await row.locator('.assign-form select[name=user_id]').selectOption(String(agent1.id));
    await row.locator('.assign-form button.primary').click();
    await page.locator(`#path-list li.path-row[data-path="${id}"]`, { hasText: lang === 'zh' ? /已指派 [1-9]\d* 人/ : /[1-9]\d* assigned/ }).waitFor();
    const assigned = (await api(s, 'GET', `/api/v1/paths/${id}/assignments`, { token: tok })).json;
    assert.ok(assigned.items.length >= 1, JSON.stringify(assigned));
    if (lang === 'en') {
      const mine = (await api(s, 'GET', '/api/v1/me/assignments', { token: await login(s, 'agent1') })).json.items;
      assert.ok(mine.some((x) => x.path_id === Number(id) && x.kind === 'series'), 'agent1 has the path');
    }
    await toTop('#paths-list-panel');
    await shot(`loop-trainer-paths-${lang}`);
    // archiving asks first, then the path shows as archived
    page.once('dialog', (d) => d.accept());
    await row.locator('button[data-archive]').click();
    await page.locator(`#path-list li.path-row[data-path="${id}"] .badge`, { hasText: lang === 'zh' ? '已归档' : 'Archived' }).waitFor();
    assert.equal((await api(s, 'GET', `/api/v1/paths/${id}`, { token: tok })).json.archived, true);
    // the nameless path's 422 is the one error the browser logs
    assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
  });

  test(`${lang}: the trainer sees the fired rule, its counts and its history with agent1 in it`, { skip: missing }, async () => {
    await loginAs('trainer1', lang);
    await trainerPage('rules', '#rule-list li.rule-row');
    const rule = page.locator('#rule-list li.rule-row', { hasText: 'Refunds QA under 70' });
    assert.match(await rule.locator('.push-counts').textContent(), w.counts);
    assert.match(await rule.locator('.rule-summary').textContent(), w.summary);
    await rule.locator('button[data-history]').click();
    const mine = rule.locator(`.push-history li[data-user="${agent1.id}"]`);
    await mine.waitFor();
    assert.match(await mine.textContent(), new RegExp(agent1.display_name));
    assert.match(await mine.locator('.muted').textContent(), w.trigger);
    await toTop('#rules-panel');
    await shot(`loop-trainer-rules-${lang}`);
    // a new rule from the form lands in the list
    const name = `CSAT low ${lang}`;
    await page.fill('#rule-form input[name=name]', name);
    await page.selectOption('#rule-metric', 'csat');
    assert.equal(await page.locator('#rule-tag').isVisible(), false, 'csat is not per skill: no tag');
    await page.fill('#rule-form input[name=threshold]', '3');
    await page.click('#rule-create');
    await page.locator('#rule-list li.rule-row', { hasText: name }).waitFor();
    assert.deepEqual(page.errors, []);
  });

  test(`${lang}: the trainer switches the fired rule off and on again, and the server follows`, { skip: missing }, async () => {
    await loginAs('trainer1', lang);
    await trainerPage('rules', '#rule-list li.rule-row');
    const rule = page.locator('#rule-list li.rule-row', { hasText: 'Refunds QA under 70' });
    const id = await rule.getAttribute('data-rule');
    const toggle = rule.locator('input[role=switch]');
    const tok = await login(s, 'trainer1');
    const server = async () => (await api(s, 'GET', `/api/v1/push-rules/${id}`, { token: tok })).json.active;
    assert.equal(await toggle.isChecked(), true);
    assert.equal(await rule.locator('.switch-state').textContent(), w.on);
    assert.equal(await server(), true);

    await toggle.click();
    await page.locator(`#rule-list li.rule-row[data-rule="${id}"][data-active=false]`).waitFor();
    assert.equal(await toggle.isChecked(), false);
    assert.equal(await rule.locator('.switch-state').textContent(), w.off);
    assert.equal(await server(), false, 'the server has it off');
    await toTop('#rules-panel');
    await shot(`loop-trainer-rule-off-${lang}`);
    // still off after a reload
    await page.reload();
    await page.locator('.view[data-ready="1"]').waitFor();
    await trainerPage('rules', `#rule-list li.rule-row[data-rule="${id}"][data-active=false]`);
    assert.equal(await page.locator(`#rule-list li.rule-row[data-rule="${id}"] input[role=switch]`).isChecked(), false);

    await page.locator(`#rule-list li.rule-row[data-rule="${id}"] input[role=switch]`).click();
    await page.locator(`#rule-list li.rule-row[data-rule="${id}"][data-active=true]`).waitFor();
    assert.equal(await page.locator(`#rule-list li.rule-row[data-rule="${id}"] .switch-state`).textContent(), w.on);
    assert.equal(await server(), true, 'the server has it on again');
    assert.deepEqual(page.errors, []);
  });

  test(`${lang}: impact of the push rule, picked in the impact page and opened from the rule's row`, { skip: missing }, async () => {
    await loginAs('trainer1', lang);
    await trainerPage('rules', '#rule-list li.rule-row');
    const rule = page.locator('#rule-list li.rule-row', { hasText: 'Refunds QA under 70' });
    const id = await rule.getAttribute('data-rule');
    // from the rule's row: the impact page opens on that rule, its metric and tag, with the report
    await rule.locator('button[data-impact]').click();
    const panel = page.locator(`#impact-panel[data-kind=rule][data-item="${id}"]`);
    await panel.waitFor();
    assert.equal(await page.locator('nav.subtabs button.active').getAttribute('data-page'), 'impact');
    assert.equal(await page.locator('#impact-kind').inputValue(), 'rule');
    assert.equal(await page.locator('#impact-item').inputValue(), id);
    assert.equal(await page.locator('#impact-metric').inputValue(), 'qa_score');
    assert.equal(await page.locator('#impact-tag').inputValue(), 'refunds');
    // the tag picker names skills by their label; one with no Chinese label shows its English one
    assert.equal(await page.locator('#impact-tag option[value=refunds]').textContent(), w.refunds);
    assert.equal(await page.locator('#impact-tag option[value=warranty]').textContent(), 'Warranty claims');
    const said = async (p) => (await p.getAttribute('data-enough')) === 'true'
      ? p.locator('.impact-sentence').textContent() : p.locator('.not-enough').textContent();
    const text = await said(panel);
    assert.ok(w.ruleSentence.test(text) || w.notEnough.test(text), text);
    await toTop('#impact-form');
    await shot(`loop-trainer-impact-rule-${lang}`);

    // picked by hand: a path first, then the rule again
    await page.selectOption('#impact-kind', 'path');
    assert.ok(await page.locator('#impact-item option', { hasText: 'Refunds mastery' }).count());
    await page.selectOption('#impact-kind', 'rule');
    await page.selectOption('#impact-item', id);
    await page.click('#impact-go');
    await panel.waitFor();
    const again = await said(panel);
    assert.ok(w.ruleSentence.test(again) || w.notEnough.test(again), again);
    assert.deepEqual(page.errors, []);
  });

  test(`${lang}: impact: "Refunds mastery" lifts refunds QA (interval above 0), "Calm calls" does not (interval holds 0); the CSV downloads`, { skip: missing }, async () => {
    await loginAs('trainer1', lang);
    await trainerPage('impact', '#impact-form');
    const show = async (pathName, tag) => {
      await page.selectOption('#impact-kind', 'path');
      const value = await page.locator('#impact-item option', { hasText: pathName }).first().getAttribute('value');
      await page.selectOption('#impact-item', value);
      await page.selectOption('#impact-metric', 'qa_score');
      await page.selectOption('#impact-tag', tag);
      await page.click('#impact-go');
      const panel = page.locator('#impact-panel', { hasText: pathName });
      await panel.waitFor();
      return panel;
    };
    const calm = await show('Calm calls', 'de-escalation');
    assert.equal(await calm.getAttribute('data-enough'), 'true');
    assert.equal(await calm.getAttribute('data-verdict'), 'unclear');
    assert.ok(Number(await calm.getAttribute('data-ci-low')) <= 0 && Number(await calm.getAttribute('data-ci-high')) >= 0);
    assert.match(await calm.locator('.impact-sentence').textContent(), w.unclear);

    const refunds = await show('Refunds mastery', 'refunds');
    assert.equal(await refunds.getAttribute('data-verdict'), 'better');
    assert.ok(Number(await refunds.getAttribute('data-ci-low')) > 0);
    assert.match(await refunds.locator('.impact-sentence').textContent(), w.better);
    assert.equal(await refunds.locator('svg.chart.interval line.whisker').count(), 3, 'the interval is drawn');
    await toTop('#impact-panel');
    await shot(`loop-trainer-impact-${lang}`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#impact-csv')]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.split('\n').length > 20, csv.slice(0, 300));
    assert.match(csv.split('\n')[0], /treated_change/);
    assert.deepEqual(page.errors, []);
  });
}

test('impact with too few completers says "not enough data yet"', { skip: missing }, async () => {
  await loginAs('trainer1', 'en');
  await trainerPage('impact', '#impact-form');
  // the path created in this run has no completers
  const value = await page.locator('#impact-item option', { hasText: 'Billing basics en' }).first().getAttribute('value');
  await page.selectOption('#impact-item', value);
  await page.selectOption('#impact-metric', 'qa_score');
  await page.selectOption('#impact-tag', 'billing');
  await page.click('#impact-go');
  const panel = page.locator('#impact-panel[data-enough=false]');
  await panel.waitFor();
  assert.match(await panel.locator('.not-enough').textContent(), words.en.notEnough);
  assert.deepEqual(page.errors, []);
});
