// Admin: the gift catalogue (each gift saved by its code; one is retired by
// taking it off sale) and the points rules (check-in bonus by streak day, learning,
// approval, the free tip budget and the tip cap between two people).
import { get, put } from './api.js';
import { t } from './i18n.js';
import { h, toast } from './ui.js';
import { field, textInput, actionButton, errorLine, activeSelect } from './admin_form.js';
import { labelOf } from './labels.js';

export async function gifts() {
  const { items } = await get('/api/v1/gifts?all');
  const list = h('ul.list', { id: 'gift-list' });
  const rows = [];
  function giftRow(g = {}) {
    const f = {
      name: textInput({ name: 'name', value: g.name || '', maxlength: 32, autocapitalize: 'none', spellcheck: 'false', readonly: !!g.name }),
      label: textInput({ name: 'label', value: g.label || '', maxlength: 40 }),
      zh: textInput({ name: 'label_zh', value: g.labels?.zh || '', maxlength: 64, lang: 'zh-CN' }),
      points: h('input', { type: 'number', name: 'points', min: 1, max: 100000, value: String(g.points ?? 10), inputmode: 'numeric' }),
      active: activeSelect('active', g.active ?? true),
    };
    rows.push(f);
    return h('li.gift-row', { dataset: { name: g.name || '' } },
      h('fieldset', {}, h('legend', { text: g.name ? labelOf(g.labels, g.label) : t('ad_newGift') }),
        field('ad_giftName', f.name), field('ad_giftLabel', f.label), field('ad_labelZh', f.zh),
        h('div.btn-row', {}, field('ad_giftPoints', f.points), field('ad_onSale', f.active))));
  }
  list.append(...items.map(giftRow));
  const out = errorLine();
  const add = h('button', { type: 'button', text: t('ad_addGift'), onclick: () => { list.append(giftRow()); rows.at(-1).name.focus(); } });
  const save = actionButton('button.primary.big', t('ad_saveGifts'), out, async () => {
    const body = rows.filter((f) => f.name.value.trim()).map((f) => ({
      name: f.name.value.trim(), label: f.label.value.trim(), labels: { zh: f.zh.value.trim() || null }, points: Number(f.points.value), active: f.active.value === '1' }));
    const fresh = await put('/api/v1/gifts', { gifts: body });
    toast(t('ad_saved'));
    rows.length = 0;
    list.replaceChildren(...fresh.items.map(giftRow));
  });
  return h('section.panel', { id: 'gifts-panel' }, h('h2', { text: t('ad_gifts') }), h('p.muted', { text: t('ad_giftsHint') }), list, add, out, save);
}

const RULES = [['learn_points', 'ad_learnPoints'], ['approve_points', 'ad_approvePoints'], ['free_tip_points', 'ad_freeTipPoints'], ['tip_pair_cap', 'ad_tipPairCap']];

export async function pointsRules() {
  const rules = await get('/api/v1/points/rules');
  const inputs = Object.fromEntries(RULES.map(([name]) => [name, h('input', { type: 'number', name, min: 0, max: 1000000, value: String(rules[name]), inputmode: 'numeric' })]));
  const bonus = textInput({ name: 'checkin_bonus', value: rules.checkin_bonus.join(', '), inputmode: 'numeric' });
  const out = errorLine();
  const save = actionButton('button.primary.big', t('ad_save'), out, async () => {
    const days = bonus.value.split(/[,，\s]+/).filter(Boolean).map(Number);
    if (!days.length || days.some((n) => !Number.isInteger(n) || n < 0)) { out.textContent = t('ad_bonusInvalid'); bonus.focus(); return; }
    const body = { checkin_bonus: days };
    for (const [name] of RULES) body[name] = Number(inputs[name].value);
    const fresh = await put('/api/v1/points/rules', body);
    bonus.value = fresh.checkin_bonus.join(', ');
    toast(t('ad_saved'));
  });
  return h('section.panel', { id: 'rules-panel' }, h('h2', { text: t('ad_rules') }),
    RULES.map(([name, key]) => field(key, inputs[name])),
    field('ad_checkinBonus', bonus), h('p.muted', { text: t('ad_checkinBonusHint') }), out, save);
}
