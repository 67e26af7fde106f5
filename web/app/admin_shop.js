// Admin: the shop's items (create, edit, stock, on or off sale) and order
// fulfilment (reserved orders are handed over or cancelled, which refunds
// the points and returns the stock).
import { get, post, idempotencyKey } from './api.js';
import { t } from './i18n.js';
import { h, toast, confirmSheet, fmtDate, errText } from './ui.js';
import { field, textInput, actionButton, errorLine, activeSelect, patchRow, labelInputs, labelFields, labelsBody } from './admin_form.js';
import { labelOf } from './labels.js';

/** The inputs of an item's fields, filled from `x` (a new item when absent). */
function itemInputs(x = {}) {
  return {
    name: textInput({ name: 'name', value: x.name || '', maxlength: 80 }),
    ...labelInputs(x),
    description: textInput({ name: 'description', value: x.description || '', maxlength: 500 }),
    price: h('input', { type: 'number', name: 'price', min: 1, value: String(x.price ?? 100), inputmode: 'numeric' }),
    stock: h('input', { type: 'number', name: 'stock', min: 0, value: String(x.stock ?? 10), inputmode: 'numeric' }),
    active: activeSelect('active', x.active ?? true),
  };
}
const itemFields = (f) => [field('ad_itemName', f.name), ...labelFields(f), field('ad_description', f.description),
  h('div.btn-row', {}, field('ad_price', f.price), field('ad_stock', f.stock)), field('ad_onSale', f.active)];
const itemBody = (f) => ({ name: f.name.value.trim(), labels: labelsBody(f), description: f.description.value.trim(),
  price: Number(f.price.value), stock: Number(f.stock.value), active: f.active.value === '1' });

const ITEM_ROW = { spec: 'li.item-row', dataset: (x) => ({ id: String(x.id) }), legend: (x) => labelOf(x.labels, x.name),
  inputs: itemInputs, fields: itemFields, body: itemBody, url: (x) => `/api/v1/shop/items/${x.id}` };

export async function shopItems() {
  const { items } = await get('/api/v1/shop/items?all');
  const list = h('ul.list', { id: 'item-list' });
  list.append(...items.map((x) => patchRow(x, ITEM_ROW)));
  const out = errorLine();
  const f = itemInputs();
  const create = actionButton('button.primary.big', t('ad_createItem'), out, async () => {
    const x = await post('/api/v1/shop/items', itemBody(f));
    toast(t('ad_saved'));
    f.name.value = f.en.value = f.zh.value = f.description.value = '';
    list.append(patchRow(x, ITEM_ROW));
  });
  return [
    h('section.panel', { id: 'item-create' }, h('h2', { text: t('ad_createItem') }), itemFields(f), out, create),
    h('section.panel', {}, h('h2', { text: t('ad_shop') }), items.length ? list : [h('p.muted', { text: t('empty') }), list]),
  ];
}

const STATUSES = ['reserved', 'fulfilled', 'cancelled'];

export async function orders() {
  const status = h('select', { name: 'status', id: 'order-status' },
    STATUSES.map((s) => h('option', { value: s, text: t(`st_${s}`) })));
  const list = h('ul.list', { id: 'order-list' });
  const listOut = errorLine();
  const more = h('button', { type: 'button', text: t('more'), hidden: true });
  let before = null;

  async function load(reset) {
    if (reset) before = null;
    const page = await get(`/api/v1/shop/orders?status=${status.value}&limit=20${before ? `&before=${before}` : ''}`);
    if (reset) list.replaceChildren(...(page.items.length ? [] : [h('li.muted', { text: t('ad_noOrders') })]));
    list.append(...page.items.map(orderRow));
    before = page.next_before;
    more.hidden = page.next_before === null;
  }
  const run = (reset) => { listOut.textContent = ''; load(reset).catch((err) => { listOut.textContent = errText(err); }); };
  status.addEventListener('change', () => run(true));
  more.addEventListener('click', () => run(false));

  function orderRow(o) {
    const out = errorLine();
    const close = (action) => actionButton(action === 'fulfil' ? 'button.ok' : 'button.bad', t(`ad_${action}`), out, async () => {
      if (action === 'cancel' && !await confirmSheet(t('ad_cancelOrder'), t('ad_cancelAsk', { name: o.user.display_name, item: labelOf(o.item.labels, o.item.name), n: o.total }), t('ad_cancelOrder'))) return;
      const fresh = await post(`/api/v1/shop/orders/${o.id}/${action}`, undefined, { idem: idempotencyKey() });
      toast(t(`st_${fresh.status}`));
      row.replaceWith(orderRow(fresh));
    });
    const row = h('li.row.order-row', { dataset: { id: String(o.id), status: o.status } },
      h('div.grow', {}, h('strong', { text: `${labelOf(o.item.labels, o.item.name)} × ${o.quantity}` }),
        h('div.muted', { text: `${o.user.display_name} · ${t('ad_total', { n: o.total })} · ${fmtDate(o.created_at)}` }), out),
      o.status === 'reserved' ? h('div.row-actions', {}, close('fulfil'), close('cancel'))
        : h(`span.status-pill.${o.status === 'fulfilled' ? 'published' : 'rejected'}`, { text: t(`st_${o.status}`) }));
    return row;
  }
  await load(true);
  return h('section.panel', { id: 'orders-panel' }, h('h2', { text: t('ad_orders') }), field('ad_orderStatus', status), listOut, list, more);
}
