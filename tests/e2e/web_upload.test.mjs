// An upload on a phone goes on while the agent looks elsewhere (chromium,
// 390x844): switching to Me or the feed mid-upload keeps it going, with a
// progress pill on every screen that leads back to it; and after a reload
// cuts it off, the Upload page says so, and picking the same file again
// continues from the server's offset instead of starting over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession } from './lib/browser.mjs';

let s, browser, session, clipPath;

before(async () => {
  if (browserMissing) return;
  // about 5 MB: three 2 MB chunks of tus
  clipPath = makeClip('web-upload-bg.mp4', { seconds: 8, size: '720x1280', args: ['-b:v', '5M', '-maxrate', '5M', '-bufsize', '5M'] });
  assert.ok(statSync(clipPath).size > 4.2e6, `${statSync(clipPath).size} bytes`);
  s = await startServer({ clips: 0, args: ['--transcode-workers', '1'] });
  browser = await launchBrowser();
});

after(async () => {
  await session?.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

/** A phone whose every tus PATCH takes `ms` longer. */
async function slowPhone(user, ms) {
  await session?.ctx.close();
  session = await phoneSession(browser, s, user, { context: { serviceWorkers: 'block' } });
  const { page } = session;
  page.patches = [];
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') {
      page.patches.push(Number(route.request().headers()['upload-offset']));
      await sleep(ms);
    }
    await route.continue();
  });
  return page;
}

async function startUploadAs(page, title) {
  await page.click('a[data-tab=upload]');
  await page.locator('#upload-form').waitFor();
  await page.setInputFiles('#pick-file', clipPath);
  await page.fill('input[name=title]', title);
  await page.click('#upload-start');
  await page.waitForFunction(() => Number(document.getElementById('upload-bar')?.getAttribute('aria-valuenow')) > 0);
}

const videosTitled = async (user, title) => (await api(s, 'GET', '/api/v1/me/videos', { token: await login(s, user) })).json.items.filter((v) => v.title === title);

test('switching screens mid-upload keeps it going, with a pill that leads back', { skip: browserMissing }, async () => {
  const page = await slowPhone('agent1', 1500);
  await startUploadAs(page, '后台上传的案例');
  await page.click('a[data-tab=me]');
  const pill = page.locator('#upload-pill');
  await pill.filter({ hasText: /^后台上传的案例 · 上传中 \d+%$/ }).waitFor();
  await page.click('a[data-tab=feed]');
  await pill.waitFor();
  // it gets there while the agent is away
  await pill.filter({ hasText: /处理中|上传完成/ }).waitFor({ timeout: 60000 });
  await pill.click();
  await page.locator('#upload-state [data-status=pending_review]').waitFor({ timeout: 60000 });
  assert.equal(await pill.count(), 0, 'no pill on the Upload page itself');
  const [v] = await videosTitled('agent1', '后台上传的案例');
  assert.equal(v.status, 'pending_review');
  assert.deepEqual(page.errors, []);
});

test('after a reload, the same file picked again continues from the server\'s offset', { skip: browserMissing }, async () => {
  const page = await slowPhone('agent2', 2500);
  await startUploadAs(page, '断点续传的案例');
  // the first chunk is in: reload while the second one travels
  await page.waitForFunction(() => Number(document.getElementById('upload-bar')?.getAttribute('aria-valuenow')) >= 30, null, { timeout: 30000 });
  await page.reload();
  await page.locator('#view-upload[data-ready="1"]').waitFor();
  page.patches = [];
  await page.locator('#unfinished', { hasText: '上次的《断点续传的案例》没有传完：选择同一个文件，会从断点继续上传' }).waitFor();
  await page.setInputFiles('#pick-file', clipPath);
  await page.fill('input[name=title]', '断点续传的案例');
  await page.click('#upload-start');
  await page.locator('#upload-state [data-status=pending_review]').waitFor({ timeout: 60000 });
  assert.ok(page.patches[0] >= 2 * 1024 * 1024, `the first PATCH after the reload starts at ${page.patches[0]}`);
  const done = await videosTitled('agent2', '断点续传的案例');
  assert.equal(done.length, 1, 'one clip, not two');
  await waitForVideo(s, await login(s, 'agent2'), done[0].id);
  assert.deepEqual(page.errors, []);
});
