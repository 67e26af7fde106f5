// The points ledger: check-in and streaks in the configured time zone,
// learning and creator rewards, tips, the shop, idempotent retries, admin
// permissions, and a concurrent run killed with SIGKILL mid-way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login, expectProblem, advanceClock, runMaintenance } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { publishClip } from './lib/poll.mjs';

const ZONE = 'Pacific/Kiritimati'; // UTC+14: its calendar day is not UTC's for 14 h a day
const users = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'trainer1', 'admin'];
let s, tok, clip, clipA, clipB;

const sql = (server, q) => {
  try {
    return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(server.dir, 'casereel.db'), q], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (e) {
    throw new Error(`sqlite3: ${e.stderr}`);
  }
};
const key = () => randomUUID();
const post = (path, token, { json, k = key() } = {}) =>
  api(s, 'POST', path, { token, json, headers: { 'idempotency-key': k } });
const points = async (user) => (await api(s, 'GET', '/api/v1/me/points?limit=100', { token: tok[user] })).json;
const localDay = (zone, d = new Date()) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const dayBefore = (day) => { const [y, m, d] = day.split('-').map(Number); return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10); };
const setRules = async (rules) => {
  const r = await api(s, 'PUT', '/api/v1/points/rules', { token: tok.admin, json: rules });
  assert.equal(r.status, 200, r.body);
  return r.json;
};

/** The ledger's invariants, straight from the database. */
function assertLedger(server) {
  assert.equal(sql(server, 'SELECT SUM(balance) FROM point_accounts'), '0', 'balances sum to zero');
  assert.equal(sql(server, "SELECT COUNT(*) FROM point_accounts WHERE kind <> 'company' AND balance < 0"), '0', 'no negative balance');
  assert.equal(sql(server, `SELECT COUNT(*) FROM point_accounts a WHERE balance <>
    (SELECT COALESCE(SUM(amount), 0) FROM point_transfers WHERE to_account = a.id) -
    (SELECT COALESCE(SUM(amount), 0) FROM point_transfers WHERE from_account = a.id)`), '0', 'balances match the transfers');
  assert.equal(sql(server, 'SELECT COUNT(*) FROM shop_items WHERE stock < 0'), '0');
}

const publish = (user, title) => publishClip(s, { creator: tok[user], trainer: tok.trainer1, clip, title });

before(async () => {
  clip = readFileSync(makeClip('points.mp4', { seconds: 2, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2', '--timezone', ZONE] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
  [clipA, clipB] = await Promise.all([publish('agent2', 'Points clip A'), publish('agent3', 'Points clip B')]);
});
after(() => s.dispose());

test('check-in: once per day in the configured zone, idempotent retries, streak table', async () => {
  expectProblem(assert, await api(s, 'POST', '/api/v1/me/checkin', { token: tok.agent1 }), 400);
  expectProblem(assert, await post('/api/v1/me/checkin', tok.agent1, { k: 'bad key with spaces' }), 400);
  const k = key();
  const first = await post('/api/v1/me/checkin', tok.agent1, { k });
  assert.equal(first.status, 201, first.body);
  assert.equal(first.json.day, localDay(ZONE), 'the day is the configured zone\'s calendar day');
  assert.deepEqual([first.json.streak, first.json.points, first.json.balance], [1, 5, 5]);
  // the retry gets the first answer byte for byte, and nothing moves twice
  const retry = await post('/api/v1/me/checkin', tok.agent1, { k });
  assert.equal(retry.status, 201);
  assert.equal(retry.body, first.body);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  // a new key the same day: 409; the same key for another request: 422
  expectProblem(assert, await post('/api/v1/me/checkin', tok.agent1), 409);
  expectProblem(assert, await post(`/api/v1/videos/${clipA}/tips`, tok.agent1, { k, json: { gift: 'thanks' } }), 422);
  // keys belong to their user: another user's same key is a new request
  assert.equal((await post('/api/v1/me/checkin', tok.agent8, { k })).status, 201);
  const p = await points('agent1');
  assert.equal(p.balance, 5);
  assert.equal(p.streak, 1);
  assert.equal(p.checked_in_today, true);
  assert.deepEqual(p.items.map((i) => [i.kind, i.amount, i.counterparty.type]), [['checkin', 5, 'company']]);
  // what a client needs to say the line in its own language; the English reason stays
  assert.equal(p.items[0].streak, 1);
  assert.equal(p.items[0].reason, 'Daily check-in, day 1 of the streak');

  // streaks: yesterday (in the zone) continues the streak, the table caps the bonus
  const today = localDay(ZONE);
  sql(s, `INSERT INTO checkins SELECT id, '${dayBefore(today)}', 1, 0, 0 FROM users WHERE username = 'agent4'`);
  assert.equal((await points('agent4')).streak, 1, 'a streak through yesterday is still alive');
  const second = await post('/api/v1/me/checkin', tok.agent4);
  assert.deepEqual([second.json.streak, second.json.points], [2, 6]);
  assert.deepEqual((await points('agent4')).items.map((i) => [i.kind, i.streak]), [['checkin', 2]]);
  expectProblem(assert, await api(s, 'PUT', '/api/v1/points/rules', { token: tok.agent1, json: { checkin_bonus: [100] } }), 403);
  expectProblem(assert, await api(s, 'PUT', '/api/v1/points/rules', { token: tok.trainer1, json: { checkin_bonus: [100] } }), 403);
  assert.equal(expectProblem(assert, await api(s, 'PUT', '/api/v1/points/rules', { token: tok.admin, json: { checkin_bonus: [] } }), 422).field, 'checkin_bonus');
  assert.equal(expectProblem(assert, await api(s, 'PUT', '/api/v1/points/rules', { token: tok.admin, json: { learn_points: -1 } }), 422).field, 'learn_points');
  assert.deepEqual((await setRules({ checkin_bonus: [3, 4, 9] })).checkin_bonus, [3, 4, 9]);
  sql(s, `INSERT INTO checkins SELECT id, '${dayBefore(today)}', 6, 0, 0 FROM users WHERE username = 'agent5'`);
  const capped = await post('/api/v1/me/checkin', tok.agent5);
  assert.deepEqual([capped.json.streak, capped.json.points], [7, 9], 'days past the table get its last entry');
  // a gap resets the streak
  sql(s, `INSERT INTO checkins SELECT id, '${dayBefore(dayBefore(today))}', 4, 0, 0 FROM users WHERE username = 'agent6'`);
  assert.equal((await points('agent6')).streak, 0);
  assert.deepEqual((await post('/api/v1/me/checkin', tok.agent6)).json.streak, 1);
  await setRules({ checkin_bonus: [5, 6, 7, 8, 9, 10, 12] });
  assertLedger(s);
});

test('the day boundary follows --timezone: UTC-12 and UTC+14 are never on the same day', async () => {
  const west = await startServer({ args: ['--transcode-workers', '0', '--timezone', 'Etc/GMT+12'] });
  try {
    const t = await login(west, 'agent1');
    const r = await api(west, 'POST', '/api/v1/me/checkin', { token: t, headers: { 'idempotency-key': key() } });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.day, localDay('Etc/GMT+12'));
    assert.notEqual(r.json.day, localDay(ZONE));
    expectProblem(assert, await api(west, 'POST', '/api/v1/me/checkin', { token: t, headers: { 'idempotency-key': key() } }), 409);
  } finally {
    await west.dispose();
  }
});

test('learning credit: approval pays the creator once; a first completion pays the viewer once; milestones once', async () => {
  const creator = (await points('agent2')).items.filter((i) => i.kind === 'approved');
  assert.deepEqual(creator.map((i) => [i.amount, i.video_id, i.video_title]), [[20, clipA, 'Points clip A']]);
  const ev = (user, event, position) => api(s, 'POST', `/api/v1/videos/${clipB}/views`, { token: tok[user], json: { event, position } });
  const watch = async (user) => {
    assert.equal((await ev(user, 'start', 0)).status, 200);
    await advanceClock(s, 0.6);
    const end = await ev(user, 'end', 1.9);
    assert.equal(end.status, 200, end.body);
    return end.json;
  };
  const [first, own] = await Promise.all([watch('agent7'), watch('agent3')]);
  assert.equal(first.newly_completed, true);
  assert.equal(first.points_earned, 2);
  assert.equal(own.points_earned, 0, 'no credit for one\'s own clip');
  const again = await watch('agent7');
  assert.equal(again.newly_completed, false);
  const learned = (await points('agent7')).items.filter((i) => i.kind === 'learn');
  assert.deepEqual(learned.map((i) => [i.amount, i.video_id, i.video_title, i.reason]), [[2, clipB, 'Points clip B', 'Watched "Points clip B"']]);
  // the fifth completion by someone else pays the creator its first milestone, once
  await Promise.all(['agent1', 'agent4', 'agent5'].map(watch));
  await watch('agent6');
  assert.equal(sql(s, `SELECT completions FROM videos WHERE id = ${clipB}`), '5', 'the creator\'s own is not one');
  const milestones = (await points('agent3')).items.filter((i) => i.kind === 'milestone');
  assert.deepEqual(milestones.map((i) => [i.amount, i.video_id, i.video_title, i.counter, i.reached]), [[10, clipB, 'Points clip B', 'completions', 5]]);
  // the once-only rule is the database's: a second payment under the same ref is refused
  assert.throws(() => sql(s, `INSERT INTO point_transfers(from_account, to_account, amount, kind, ref, created_at)
    VALUES (1, 2, 1, 'learn', 'learn:${clipB}:${sql(s, "SELECT id FROM users WHERE username = 'agent7'")}', 0)`), /UNIQUE/);
  // and history cannot be rewritten
  assert.throws(() => sql(s, 'UPDATE point_transfers SET amount = 1000'), /append-only/);
  assert.throws(() => sql(s, 'DELETE FROM point_transfers'), /append-only/);
  assert.throws(() => sql(s, "UPDATE point_accounts SET balance = -1 WHERE kind = 'user'"), /CHECK/);
  assertLedger(s);
});

test('a long Chinese title is cut on a character boundary in the ledger: the approval still shows in the history', async () => {
  const title = '客户投诉升级处理流程与退款政策例外情况的标准话术及常见问题解答示范案例'; // 35 characters, 105 bytes: more than the 95 bytes the ledger keeps
  const id = await publish('agent6', title);
  const items = (await points('agent6')).items.filter((i) => i.kind === 'approved' && i.video_id === id);
  assert.equal(items.length, 1, 'the approval reward is in the history');
  assert.equal(items[0].video_title, title);
  assert.ok(items[0].reason.startsWith('Clip "客户投诉'), items[0].reason);
  assert.ok(!items[0].reason.includes('\uFFFD'), 'no broken character');
});

test('tips: gifts, no self-tipping, free allowance then paid, pair cap, totals', async () => {
  await setRules({ free_tip_points: 10, tip_pair_cap: 20 });
  const gifts = await api(s, 'GET', '/api/v1/gifts', { token: tok.agent1 });
  assert.deepEqual(gifts.json.items.map((g) => [g.name, g.points]), [['thanks', 1], ['flower', 5], ['yacht', 50]]);
  expectProblem(assert, await api(s, 'PUT', '/api/v1/gifts', { token: tok.trainer1, json: { gifts: [{ name: 'star', label: 'Star', points: 3 }] } }), 403);
  expectProblem(assert, await api(s, 'PUT', '/api/v1/gifts', { token: tok.admin, json: { gifts: [{ name: 'Bad Name', label: 'x', points: 3 }] } }), 422);
  const put = await api(s, 'PUT', '/api/v1/gifts', { token: tok.admin, json: { gifts: [{ name: 'star', label: 'Star', points: 3 }] } });
  assert.equal(put.status, 200, put.body);
  assert.ok(put.json.items.some((g) => g.name === 'star' && g.points === 3));
  // a gift taken off sale: an admin's bare ?all still lists it, an agent's does not
  assert.equal((await api(s, 'PUT', '/api/v1/gifts', { token: tok.admin, json: { gifts: [{ name: 'old', label: 'Old', points: 2, active: false }] } })).status, 200);
  const everyGift = await api(s, 'GET', '/api/v1/gifts?all', { token: tok.admin });
  assert.ok(everyGift.json.items.some((g) => g.name === 'old' && g.active === false), everyGift.body);
  assert.ok(everyGift.json.items.some((g) => g.name === 'star' && g.active), 'gifts left out of a PUT stay as they were');
  assert.ok(!(await api(s, 'GET', '/api/v1/gifts?all', { token: tok.agent1 })).json.items.some((g) => g.name === 'old'));

  const tip = (user, video, json, k) => post(`/api/v1/videos/${video}/tips`, tok[user], { json, k });
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${clipA}/tips`, { token: tok.agent6, json: { gift: 'thanks' } }), 400);
  expectProblem(assert, await tip('agent2', clipA, { gift: 'thanks' }), 403); // own clip
  assert.equal(expectProblem(assert, await tip('agent6', clipA, { gift: 'rocket' }), 422).field, 'gift');
  assert.equal(expectProblem(assert, await tip('agent6', clipA, { gift: 'thanks', count: 0 }), 422).field, 'count');
  expectProblem(assert, await tip('agent6', 999999, { gift: 'thanks' }), 404);

  // agent8 has 5 points from check-in: 10 free today, then its own points
  const k = key();
  const free = await tip('agent8', clipA, { gift: 'flower', count: 2 }, k);
  assert.equal(free.status, 201, free.body);
  assert.deepEqual([free.json.amount, free.json.free, free.json.paid, free.json.balance], [10, 10, 0, 5]);
  assert.equal((await tip('agent8', clipA, { gift: 'flower', count: 2 }, k)).body, free.body, 'retry replays');
  const mixed = await tip('agent8', clipA, { gift: 'star' });
  assert.deepEqual([mixed.json.free, mixed.json.paid, mixed.json.balance], [0, 3, 2]);
  assert.equal(mixed.json.video_tips, free.json.video_tips + 3);
  const short = expectProblem(assert, await tip('agent8', clipB, { gift: 'flower' }), 409);
  assert.match(short.detail, /you have 2/);
  assert.equal((await points('agent8')).balance, 2, 'a refused tip moves nothing');

  // the pair cap (20 a day viewer → creator) counts free and paid tips
  await setRules({ free_tip_points: 100 });
  assert.equal((await tip('agent8', clipA, { gift: 'flower' })).status, 201); // 18 of 20
  expectProblem(assert, await tip('agent8', clipA, { gift: 'star' }), 429);
  assert.equal((await tip('agent8', clipA, { gift: 'thanks', count: 2 })).status, 201); // 20 of 20
  expectProblem(assert, await tip('agent8', clipA, { gift: 'thanks' }), 429);
  assert.equal((await tip('agent8', clipB, { gift: 'thanks' })).status, 201, 'other creators are still open');

  const creator = await points('agent2');
  assert.equal(creator.tips_received, 20);
  assert.deepEqual(creator.items.filter((i) => i.kind.startsWith('tip')).map((i) => i.counterparty.type).sort(),
    ['company', 'company', 'company', 'user']);
  assert.equal(sql(s, `SELECT tips FROM videos WHERE id = ${clipA}`), '20');
  // the creator sees the totals on the clip itself and in their own list
  assert.equal((await api(s, 'GET', `/api/v1/videos/${clipA}`, { token: tok.agent2 })).json.counts.tips, 20);
  const own = (await api(s, 'GET', '/api/v1/me/videos', { token: tok.agent2 })).json.items.find((v) => v.id === clipA);
  assert.deepEqual(Object.keys(own.counts).sort(), ['comments', 'completions', 'likes', 'tips', 'views']);
  assert.equal(own.counts.tips, 20);
  const viewer = await points('agent8');
  assert.equal(viewer.tips_given, 21);
  assert.equal(viewer.free_tip_points_left, 100 - 10 - 5 - 2 - 1);
  const paid = viewer.items.find((i) => i.kind === 'tip');
  assert.deepEqual([paid.amount, paid.gift, paid.gift_label, paid.count, paid.video_id, paid.video_title, paid.reason],
    [-3, 'star', 'Star', 1, clipA, 'Points clip A', 'Tip: 1 x star']);
  const received = creator.items.filter((i) => i.kind === 'tip_free').map((i) => [i.amount, i.gift, i.gift_label, i.count, i.video_title, i.reason]);
  assert.deepEqual(received.at(-1), [10, 'flower', 'Flower', 2, 'Points clip A', 'Tip: 2 x flower (daily free allowance)'],
    'the free part of the first tip says where its points came from');
  await setRules({ free_tip_points: 10, tip_pair_cap: 100 });
  assertLedger(s);
});

test('shop: admin catalogue, orders take stock and points, fulfil and cancel once', async () => {
  const item = (json, token = tok.admin) => api(s, 'POST', '/api/v1/shop/items', { token, json });
  expectProblem(assert, await item({ name: 'Mug', price: 5, stock: 1 }, tok.agent1), 403);
  expectProblem(assert, await item({ name: 'Mug', price: 5, stock: 1 }, tok.trainer1), 403);
  assert.equal(expectProblem(assert, await item({ name: 'Mug', price: 0, stock: 1 }), 422).field, 'price');
  assert.equal(expectProblem(assert, await item({ name: 'Mug', price: 5, stock: -1 }), 422).field, 'stock');
  const mug = (await item({ name: 'Mug', description: 'A casereel mug', price: 5, stock: 1 })).json;
  assert.deepEqual([mug.price, mug.stock, mug.active], [5, 1, true]);
  assert.equal(expectProblem(assert, await item({ name: 'mug', price: 1, stock: 1 }), 422).field, 'name');
  const car = (await item({ name: 'Car', price: 100000, stock: 3 })).json;
  expectProblem(assert, await api(s, 'PATCH', `/api/v1/shop/items/${mug.id}`, { token: tok.agent1, json: { stock: 100 } }), 403);
  expectProblem(assert, await api(s, 'PATCH', '/api/v1/shop/items/99999', { token: tok.admin, json: { stock: 1 } }), 404);
  // beside the demo's own stock
  const names = async (q = '', token = tok.agent1) => (await api(s, 'GET', `/api/v1/shop/items${q}`, { token })).json.items.map((x) => x.name);
  assert.deepEqual((await names()).filter((n) => n === 'Mug' || n === 'Car').sort(), ['Car', 'Mug']);

  const order = (user, json, k) => post('/api/v1/shop/orders', tok[user], { json, k });
  expectProblem(assert, await api(s, 'POST', '/api/v1/shop/orders', { token: tok.agent1, json: { item_id: mug.id } }), 400);
  const before = (await points('agent1')).balance;
  const k = key();
  const o = await order('agent1', { item_id: mug.id }, k);
  assert.equal(o.status, 201, o.body);
  assert.deepEqual([o.json.status, o.json.total, o.json.item.id], ['reserved', 5, mug.id]);
  assert.equal((await order('agent1', { item_id: mug.id }, k)).body, o.body, 'a retried order is one order');
  expectProblem(assert, await order('agent1', { item_id: mug.id, quantity: 2 }, k), 422);
  assert.equal((await points('agent1')).balance, before - 5);
  assert.equal(sql(s, `SELECT stock FROM shop_items WHERE id = ${mug.id}`), '0');
  expectProblem(assert, await order('agent4', { item_id: mug.id }), 409); // sold out
  expectProblem(assert, await order('agent1', { item_id: car.id }), 409); // too expensive
  assert.equal(sql(s, `SELECT stock FROM shop_items WHERE id = ${car.id}`), '3', 'a refused order keeps its stock');
  assert.equal(expectProblem(assert, await order('agent1', { item_id: 99999 }), 422).field, 'item_id');

  const mine = await api(s, 'GET', '/api/v1/me/orders', { token: tok.agent1 });
  assert.deepEqual(mine.json.items.map((x) => x.id), [o.json.id]);
  assert.deepEqual((await api(s, 'GET', '/api/v1/me/orders', { token: tok.agent4 })).json.items, []);
  expectProblem(assert, await api(s, 'GET', '/api/v1/shop/orders', { token: tok.agent1 }), 403);
  expectProblem(assert, await api(s, 'GET', '/api/v1/shop/orders', { token: tok.trainer1 }), 403);
  assert.ok((await api(s, 'GET', '/api/v1/shop/orders?status=reserved', { token: tok.admin })).json.items.some((x) => x.id === o.json.id));
  for (const action of ['fulfil', 'cancel'])
    expectProblem(assert, await post(`/api/v1/shop/orders/${o.json.id}/${action}`, tok.agent1), 403);

  // cancel refunds and restores stock, once
  const ck = key();
  const cancelled = await post(`/api/v1/shop/orders/${o.json.id}/cancel`, tok.admin, { k: ck });
  assert.equal(cancelled.status, 200, cancelled.body);
  assert.equal(cancelled.json.status, 'cancelled');
  assert.equal((await post(`/api/v1/shop/orders/${o.json.id}/cancel`, tok.admin, { k: ck })).body, cancelled.body);
  expectProblem(assert, await post(`/api/v1/shop/orders/${o.json.id}/cancel`, tok.admin), 409);
  expectProblem(assert, await post(`/api/v1/shop/orders/${o.json.id}/fulfil`, tok.admin), 409);
  expectProblem(assert, await post('/api/v1/shop/orders/99999/cancel', tok.admin), 404);
  assert.equal((await points('agent1')).balance, before);
  const [refund, paidOrder] = (await points('agent1')).items;
  assert.deepEqual([refund.kind, refund.order_id, refund.item, refund.quantity], ['refund', o.json.id, { id: mug.id, name: 'Mug', labels: { en: 'Mug', zh: null } }, 1]);
  assert.deepEqual([paidOrder.kind, paidOrder.amount, paidOrder.item, paidOrder.quantity], ['order', -5, { id: mug.id, name: 'Mug', labels: { en: 'Mug', zh: null } }, 1]);
  assert.equal(sql(s, `SELECT stock FROM shop_items WHERE id = ${mug.id}`), '1');

  // fulfil, once; a fulfilled order cannot be cancelled
  const o2 = await order('agent1', { item_id: mug.id });
  assert.equal(o2.status, 201, o2.body);
  const done = await post(`/api/v1/shop/orders/${o2.json.id}/fulfil`, tok.admin);
  assert.equal(done.json.status, 'fulfilled');
  expectProblem(assert, await post(`/api/v1/shop/orders/${o2.json.id}/fulfil`, tok.admin), 409);
  expectProblem(assert, await post(`/api/v1/shop/orders/${o2.json.id}/cancel`, tok.admin), 409);
  assert.equal((await points('agent1')).balance, before - 5);

  // retired items cannot be ordered
  const off = await api(s, 'PATCH', `/api/v1/shop/items/${car.id}`, { token: tok.admin, json: { active: false, price: 1 } });
  assert.deepEqual([off.json.active, off.json.price], [false, 1]);
  assert.ok(!(await names()).includes('Car'));
  assert.ok((await names('?all=1', tok.admin)).includes('Car'));
  assert.ok((await names('?all', tok.admin)).includes('Car'), 'a bare ?all, as documented, lists it too');
  assert.ok(!(await names('?all', tok.agent1)).includes('Car'), 'but not for an agent');
  expectProblem(assert, await order('agent1', { item_id: car.id }), 422);
  assertLedger(s);
});

test('history pages newest first without gaps or repeats', async () => {
  const all = (await points('agent2')).items; // the creator: approval and tips
  assert.ok(all.length >= 5);
  const seen = [];
  let before = 0;
  for (;;) {
    const page = (await api(s, 'GET', `/api/v1/me/points?limit=2${before ? `&before=${before}` : ''}`, { token: tok.agent2 })).json;
    seen.push(...page.items.map((i) => i.id));
    if (!page.next_before) break;
    before = page.next_before;
  }
  assert.deepEqual(seen, all.map((i) => i.id));
  assert.deepEqual([...seen].sort((a, b) => b - a), seen);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me/points?limit=0', { token: tok.agent2 }), 422);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me/points'), 401);
});

test('50 concurrent clients with retried keys, SIGKILL mid-run, restart: the ledger holds', async () => {
  await setRules({ free_tip_points: 30, tip_pair_cap: 100000 });
  const prize = (await api(s, 'POST', '/api/v1/shop/items', { token: tok.admin, json: { name: 'Prize', price: 3, stock: 7 } })).json;
  const giftNames = ['thanks', 'flower', 'star'];
  const ops = []; // {user, method, path, json, key, answers: [body...]}
  const makeOp = (user, i) => {
    const r = i % 3;
    if (r === 0) return { user, path: '/api/v1/me/checkin' };
    if (r === 1) {
      const video = user === 'agent2' ? clipB : user === 'agent3' ? clipA : (i % 2 ? clipA : clipB);
      return { user, path: `/api/v1/videos/${video}/tips`, json: { gift: giftNames[i % 3], count: 1 + (i % 2) } };
    }
    return { user, path: '/api/v1/shop/orders', json: { item_id: prize.id } };
  };
  const send = async (op) => {
    try {
      const r = await api(s, 'POST', op.path, { token: tok[op.user], json: op.json, headers: { 'idempotency-key': op.key } });
      if (r.status >= 500) return null;
      op.answers.push({ status: r.status, body: r.body });
      return r;
    } catch {
      return null; // the server died under us: not acknowledged
    }
  };
  const client = async (c) => {
    for (let i = 0; i < 12; i++) {
      const op = { ...makeOp(users[c % users.length], c + i), key: key(), answers: [] };
      ops.push(op);
      // a client that retries at once and again after the answer
      await Promise.all([send(op), c % 3 === 0 ? send(op) : null]);
      if (i % 4 === 3) await send(op);
    }
  };
  const run = Promise.all(Array.from({ length: 50 }, (_, c) => client(c)));
  await sleep(400);
  const port = s.port, dir = s.dir;
  await s.stop('SIGKILL');
  await run;
  s = await startServer({ dataDir: dir, args: ['--port', String(port), '--transcode-workers', '0', '--timezone', ZONE] });
  s.dispose = ((d) => async () => { await d(); execFileSync('rm', ['-rf', dir]); })(s.dispose);
  assert.ok(ops.some((op) => op.answers.length === 0), 'the kill interrupted some requests');
  assert.ok(ops.some((op) => op.answers.length > 0), 'some requests were answered before the kill');
  // every client retries what it sent, with the same key, until answered
  for (const op of ops) assert.ok(await send(op), `retry of ${op.path} answered`);
  for (const op of ops) {
    const distinct = new Set(op.answers.map((a) => `${a.status} ${a.body}`));
    assert.equal(distinct.size, 1, `every answer to key ${op.key} is the first one: ${[...distinct].join(' | ')}`);
  }
  assertLedger(s);
  // every acknowledged write is in the ledger exactly once
  const acked = (kind) => ops.filter((op) => op.path.endsWith(kind) && op.answers[0].status === 201).map((op) => JSON.parse(op.answers[0].body));
  const tips = acked('/tips');
  const tipIds = tips.map((t) => t.id).sort((a, b) => a - b);
  const concurrentTips = sql(s, `SELECT id FROM tips WHERE id >= ${Math.min(...tipIds)} ORDER BY id`).split('\n').map(Number);
  assert.deepEqual(concurrentTips, tipIds, 'one tip row per acknowledged tip, none extra');
  assert.equal(sql(s, "SELECT SUM(amount) FROM point_transfers WHERE kind IN ('tip', 'tip_free')"), sql(s, 'SELECT SUM(amount) FROM tips'),
    'every tip moved exactly its points');
  const orders = acked('/orders');
  assert.equal(sql(s, `SELECT COUNT(*) FROM shop_orders WHERE item_id = ${prize.id}`), String(orders.length));
  for (const o of orders)
    assert.equal(sql(s, `SELECT COUNT(*) FROM point_transfers WHERE ref = 'order:${o.id}' AND amount = ${o.total}`), '1');
  assert.ok(orders.length <= 7, `no overselling: ${orders.length} orders for 7 prizes`);
  assert.equal(Number(sql(s, `SELECT stock FROM shop_items WHERE id = ${prize.id}`)), 7 - orders.length);
  const checkins = acked('/checkin');
  for (const c of checkins) assert.equal(c.day, localDay(ZONE));
  assert.equal(sql(s, "SELECT COUNT(*) FROM point_transfers WHERE kind = 'checkin'"), sql(s, 'SELECT COUNT(*) FROM checkins WHERE points > 0'));
  assert.equal(sql(s, "SELECT COUNT(*) FROM (SELECT ref FROM point_transfers WHERE ref IS NOT NULL GROUP BY ref HAVING COUNT(*) > 1)"), '0');
  // the sum of tips per clip matches the counter on the clip
  for (const v of [clipA, clipB])
    assert.equal(sql(s, `SELECT tips FROM videos WHERE id = ${v}`), sql(s, `SELECT SUM(amount) FROM tips WHERE video_id = ${v}`));
});

test('idempotency keys are forgotten after --idempotency-ttl, not before', async () => {
  const dir = execFileSync('mktemp', ['-d', '/tmp/casereel-keys-XXXXXX']).toString().trim();
  let srv = await startServer({ dataDir: dir, args: ['--transcode-workers', '0', '--timezone', ZONE] });
  try {
    const t = await login(srv, 'agent1');
    const k = key();
    const checkin = () => api(srv, 'POST', '/api/v1/me/checkin', { token: t, headers: { 'idempotency-key': k } });
    assert.equal((await checkin()).status, 201);
    await srv.dispose();
    // a long memory keeps the key: after a round most of an hour later, the retry is still a replay
    srv = await startServer({ dataDir: dir, args: ['--transcode-workers', '0', '--timezone', ZONE, '--idempotency-ttl', '3600'] });
    await advanceClock(srv, 3500);
    await runMaintenance(srv);
    const kept = await checkin();
    assert.equal(kept.status, 201);
    assert.equal(kept.headers.get('idempotent-replayed'), 'true');
    await srv.dispose();
    // a 1 s memory forgets it by the next round: the same key is now a new check-in (already done today)
    srv = await startServer({ dataDir: dir, args: ['--transcode-workers', '0', '--timezone', ZONE, '--idempotency-ttl', '1'] });
    await advanceClock(srv, 2);
    await runMaintenance(srv);
    const again = await checkin();
    expectProblem(assert, again, 409);
    assert.match(srv.stderr, /forgot 1 idempotency key/);
    assertLedger(srv);
  } finally {
    await srv.dispose();
    execFileSync('rm', ['-rf', dir]);
  }
});
