// Data in the UI's language (issue 16): gifts, shop items, teams and
// positions carry English and Chinese labels that admins edit and every
// employee reads; bad input changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectProblem } from './lib/server.mjs';

let s, admin, trainer, agent;
before(async () => {
  s = await startServer();
  [admin, trainer, agent] = await Promise.all([login(s, 'admin'), login(s, 'trainer1'), login(s, 'agent1')]);
});
after(() => s.dispose());

const byName = (items) => Object.fromEntries(items.map((x) => [x.name, x]));
const get = async (path, token = agent) => {
  const r = await api(s, 'GET', path, { token });
  assert.equal(r.status, 200, r.body);
  return r.json;
};

test('the demo names its gifts, shop items, teams and positions in both languages', async () => {
  const gifts = byName((await get('/api/v1/gifts')).items);
  assert.deepEqual(gifts.flower.labels, { en: 'Flower', zh: '鲜花' });
  assert.equal(gifts.flower.label, 'Flower', 'the old field stays');
  const shop = byName((await get('/api/v1/shop/items')).items);
  assert.deepEqual(shop['半天调休'].labels, { en: 'Half a day off', zh: '半天调休' });
  const teams = byName((await get('/api/v1/teams/labels')).items);
  assert.deepEqual(teams.Billing.labels, { en: 'Billing', zh: '账务组' });
  assert.deepEqual(byName((await get('/api/v1/teams', admin)).items).Billing.labels, teams.Billing.labels);
  const positions = byName((await get('/api/v1/positions')).items);
  assert.deepEqual(positions['Senior agent'].labels, { en: 'Senior agent', zh: '资深客服' });
});

test('admin sets labels, employees read them; a rename shows in English unless an English label was given', async () => {
  const gifts = await api(s, 'PUT', '/api/v1/gifts', { token: admin, json: { gifts: [
    { name: 'star', labels: { en: 'Star', zh: '星星' }, points: 3 },
    { name: 'thanks', label: 'Thanks', points: 1, labels: { zh: '谢谢你' } },
  ] } });
  assert.equal(gifts.status, 200, gifts.body);
  const g = byName((await get('/api/v1/gifts')).items);
  assert.deepEqual([g.star.label, g.star.labels], ['Star', { en: 'Star', zh: '星星' }]);
  assert.deepEqual(g.thanks.labels, { en: 'Thanks', zh: '谢谢你' });
  // an older client's PUT without labels keeps the Chinese one
  assert.equal((await api(s, 'PUT', '/api/v1/gifts', { token: admin, json: { gifts: [{ name: 'star', label: 'Gold star', points: 4 }] } })).status, 200);
  assert.deepEqual(byName((await get('/api/v1/gifts')).items).star.labels, { en: 'Gold star', zh: '星星' });

  const item = await api(s, 'POST', '/api/v1/shop/items', { token: admin, json: { name: 'Mug', price: 10, stock: 5, labels: { zh: '马克杯' } } });
  assert.equal(item.status, 201, item.body);
  assert.deepEqual(item.json.labels, { en: 'Mug', zh: '马克杯' });
  const renamed = await api(s, 'PATCH', `/api/v1/shop/items/${item.json.id}`, { token: admin, json: { name: 'Coffee mug' } });
  assert.deepEqual(renamed.json.labels, { en: 'Coffee mug', zh: '马克杯' }, 'the English label follows the name');
  const relabelled = await api(s, 'PATCH', `/api/v1/shop/items/${item.json.id}`, { token: admin, json: { labels: { en: 'Big mug', zh: null } } });
  assert.deepEqual([relabelled.json.name, relabelled.json.labels], ['Coffee mug', { en: 'Big mug', zh: null }]);
  assert.deepEqual(byName((await get('/api/v1/shop/items')).items)['Coffee mug'].labels, { en: 'Big mug', zh: null });

  const team = await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: 'Chat', labels: { zh: '在线客服组' } } });
  assert.equal(team.status, 201, team.body);
  assert.deepEqual(team.json.labels, { en: 'Chat', zh: '在线客服组' });
  const t2 = await api(s, 'PATCH', `/api/v1/teams/${team.json.id}`, { token: admin, json: { labels: { en: 'Live chat' } } });
  assert.deepEqual([t2.json.name, t2.json.labels], ['Chat', { en: 'Live chat', zh: '在线客服组' }]);
  assert.deepEqual(byName((await get('/api/v1/teams/labels', trainer)).items).Chat.labels, { en: 'Live chat', zh: '在线客服组' });

  const pos = await api(s, 'POST', '/api/v1/positions', { token: admin, json: { name: 'Coach', labels: { en: 'Floor coach', zh: '现场教练' } } });
  assert.equal(pos.status, 201, pos.body);
  assert.deepEqual(pos.json, { id: pos.json.id, name: 'Coach', labels: { en: 'Floor coach', zh: '现场教练' } });
  assert.deepEqual(byName((await get('/api/v1/positions')).items).Coach.labels, { en: 'Floor coach', zh: '现场教练' });
});

test('positions: a user\'s new position is listed; renaming one renames it on its users; only unused ones go', async () => {
  const u = await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'pos.user', display_name: 'P', password: 'violet-ferry-42-lamp', position: 'Night agent' } });
  assert.equal(u.status, 201, u.body);
  const night = byName((await get('/api/v1/positions')).items)['Night agent'];
  assert.deepEqual(night.labels, { en: 'Night agent', zh: null });
  const renamed = await api(s, 'PATCH', `/api/v1/positions/${night.id}`, { token: admin, json: { name: 'Late agent', labels: { zh: '晚班客服' } } });
  assert.deepEqual([renamed.json.name, renamed.json.labels], ['Late agent', { en: 'Late agent', zh: '晚班客服' }]);
  assert.equal((await get(`/api/v1/users/${u.json.id}`, admin)).position, 'Late agent');
  const inUse = expectProblem(assert, await api(s, 'DELETE', `/api/v1/positions/${night.id}`, { token: admin }), 409);
  assert.match(inUse.type, /\/problems\/position-in-use$/);
  assert.ok(byName((await get('/api/v1/positions')).items)['Late agent'], 'still there');
  const spare = await api(s, 'POST', '/api/v1/positions', { token: admin, json: { name: 'Spare' } });
  expectProblem(assert, await api(s, 'POST', '/api/v1/positions', { token: admin, json: { name: 'Spare' } }), 409);
  assert.equal((await api(s, 'DELETE', `/api/v1/positions/${spare.json.id}`, { token: admin })).status, 204);
  assert.ok(!byName((await get('/api/v1/positions')).items).Spare);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/positions/${spare.json.id}`, { token: admin }), 404);
});

test('agents and trainers cannot edit labels: 403 and nothing changes', async () => {
  const billing = byName((await get('/api/v1/teams/labels')).items).Billing;
  const agentPos = byName((await get('/api/v1/positions')).items).Agent;
  const item = (await get('/api/v1/shop/items')).items[0];
  for (const token of [agent, trainer]) {
    expectProblem(assert, await api(s, 'PATCH', `/api/v1/teams/${billing.id}`, { token, json: { labels: { zh: '黑客' } } }), 403);
    expectProblem(assert, await api(s, 'PATCH', `/api/v1/positions/${agentPos.id}`, { token, json: { labels: { zh: '黑客' } } }), 403);
    expectProblem(assert, await api(s, 'POST', '/api/v1/positions', { token, json: { name: 'Hacker' } }), 403);
    expectProblem(assert, await api(s, 'DELETE', `/api/v1/positions/${agentPos.id}`, { token }), 403);
    expectProblem(assert, await api(s, 'PATCH', `/api/v1/shop/items/${item.id}`, { token, json: { labels: { zh: '黑客' } } }), 403);
    expectProblem(assert, await api(s, 'PUT', '/api/v1/gifts', { token, json: { gifts: [{ name: 'flower', labels: { zh: '黑客' }, points: 5 }] } }), 403);
  }
  expectProblem(assert, await api(s, 'GET', '/api/v1/positions'), 401);
  expectProblem(assert, await api(s, 'GET', '/api/v1/teams/labels'), 401);
  assert.deepEqual(byName((await get('/api/v1/teams/labels')).items).Billing.labels, billing.labels);
  assert.deepEqual(byName((await get('/api/v1/positions')).items).Agent.labels, agentPos.labels);
  assert.deepEqual((await get('/api/v1/shop/items')).items[0].labels, item.labels);
  assert.deepEqual(byName((await get('/api/v1/gifts')).items).flower.labels, { en: 'Flower', zh: '鲜花' });
});

test('bad labels are a 422 problem naming the field, and nothing changes', async () => {
  const billing = byName((await get('/api/v1/teams/labels')).items).Billing;
  const agentPos = byName((await get('/api/v1/positions')).items).Agent;
  const item = (await get('/api/v1/shop/items')).items[0];
  const bad = [{ zh: '' }, { zh: 'x'.repeat(65) }, { en: null }, { en: 5 }, { fr: 'Facturation' }, 'Billing', { zh: ' \u3000' }, { en: 'a\u200bb' }];
  for (const labels of bad) {
    for (const [method, path] of [['PATCH', `/api/v1/teams/${billing.id}`], ['PATCH', `/api/v1/positions/${agentPos.id}`],
      ['PATCH', `/api/v1/shop/items/${item.id}`], ['POST', '/api/v1/positions'], ['POST', '/api/v1/teams']]) {
      const p = expectProblem(assert, await api(s, method, path, { token: admin, json: { name: 'New one', labels } }), 422);
      assert.equal(p.field, 'labels', `${method} ${path} ${JSON.stringify(labels)}`);
    }
    const p = expectProblem(assert, await api(s, 'PUT', '/api/v1/gifts', { token: admin, json: { gifts: [{ name: 'flower', points: 9, labels }] } }), 422);
    assert.equal(p.field, 'labels');
  }
  // a new gift needs an English label; the whole PUT is refused
  expectProblem(assert, await api(s, 'PUT', '/api/v1/gifts', { token: admin, json: { gifts: [
    { name: 'flower', points: 9 }, { name: 'nameless', points: 2, labels: { zh: '无名' } }] } }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/shop/items', { token: admin, json: { name: 'Pen', price: 1, stock: 1, labels: { en: 'Pen', zh: 'x'.repeat(65) } } }), 422);
  assert.deepEqual(byName((await get('/api/v1/teams/labels')).items).Billing, billing);
  assert.deepEqual(byName((await get('/api/v1/positions')).items).Agent, agentPos);
  assert.deepEqual((await get('/api/v1/shop/items')).items[0], item);
  const gifts = byName((await get('/api/v1/gifts')).items);
  assert.deepEqual([gifts.flower.points, gifts.flower.labels, gifts.nameless], [5, { en: 'Flower', zh: '鲜花' }, undefined]);
  assert.ok(!byName((await get('/api/v1/positions')).items)['New one']);
  assert.ok(!byName((await get('/api/v1/shop/items')).items).Pen);
});
