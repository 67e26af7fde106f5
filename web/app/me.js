// Me: points balance and history, daily check-in with streak, my
// assignments (must-watch clips and learning paths in one list) and skill
// gaps (me_loop.js), the shop and my orders, my clips with their stats,
// language, password change, logout.
import { get, post, idempotencyKey } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { openCueEditor } from './cues.js';
import { h, toast, showError, errText, videoErrorText, fmtDate, fmtDur, clipStats, confirmSheet } from './ui.js';
import { statusPill } from './upload.js';
import { logout, showPasswordChange, unreadCount } from './main.js';
import { loopPanels } from './me_loop.js';
import { labelOf, namedLabels, teamName, positionName } from './labels.js';

/** A points history line in the UI's language from the entry's kind and
 * members; the server's English reason for what this client does not know. */
function historyText(x) {
  const title = x.video_title;
  switch (x.kind) {
    case 'checkin':
      if (x.streak) return t('hist_checkin', { n: x.streak });
      break;
    case 'learn': case 'approved': case 'quiz':
      if (title) return t(`hist_${x.kind}`, { title });
      break;
    case 'milestone':
      if (title && x.reached && ['likes', 'completions'].includes(x.counter)) return t(`hist_milestone_${x.counter}`, { title, n: x.reached });
      break;
    case 'tip': case 'tip_free':
      // A tip the daily allowance paid only in part shows the creator two
      // lines for one gift: the allowance's part says so.
      if (title && x.gift && x.count) return t(x.kind === 'tip_free' ? 'hist_tipReceivedFree' : x.amount < 0 ? 'hist_tipGiven' : 'hist_tipReceived', { title, gift: labelOf(x.gift_labels, x.gift_label || x.gift), n: x.count });
      break;
    case 'order': case 'refund':
      if (x.item && x.quantity) return t(`hist_${x.kind}`, { item: labelOf(x.item.labels, x.item.name), n: x.quantity });
      break;
  }
  return x.reason;
}

export async function mount(el, { rerender }) {
  const [profile, pts, shop, orders, clips, names] = await Promise.all([
    get('/api/v1/me'), get('/api/v1/me/points'), get('/api/v1/shop/items'), get('/api/v1/me/orders'),
    get('/api/v1/me/videos'), namedLabels(),
  ]);
  const loop = await loopPanels(profile);
  const balance = h('div.balance', { id: 'balance', text: String(pts.balance) });
  const streak = h('p.muted', { id: 'streak', text: t('streak', { n: pts.streak }) });
  const checkin = h('button.primary', { id: 'checkin', disabled: pts.checked_in_today, text: pts.checked_in_today ? t('checkedIn') : t('checkin') });
  checkin.addEventListener('click', async () => {
    // shown at once; the answer brings the points, a failure takes it back
    checkin.disabled = true;
    checkin.textContent = t('checkedIn');
    try {
      const r = await post('/api/v1/me/checkin', undefined, { idem: idempotencyKey() });
      balance.textContent = String(r.balance);
      streak.textContent = t('streak', { n: r.streak });
      toast(t('checkinDone', { n: r.points }));
      refreshHistory();
    } catch (err) {
      showError(err);
      if (err.type === 'already-checked-in') return; // done from another phone: checked in it is
      checkin.textContent = t('checkin');
      checkin.disabled = false;
    }
  });

  // the inbox, with what is unread
  const inboxCount = h('span.count-pill');
  const showInboxCount = () => { inboxCount.textContent = String(unreadCount()); inboxCount.hidden = unreadCount() < 1; };
  showInboxCount();
  document.addEventListener('unreadchange', showInboxCount);
  const inboxLink = h('a.panel.inbox-link', { id: 'inbox-link', href: '#inbox' }, h('span', { text: t('inbox') }), inboxCount, h('span.chev', { 'aria-hidden': 'true', text: '›' }));
  const hero = h('section.panel', { id: 'points' },
    h('div.hero', {},
      h('div', {}, h('h1.me-name', { text: `${profile.display_name}` }), h('p.muted', { text: `${teamName(names, profile.team?.name)} · ${positionName(names, profile.position)}` })),
      h('div', { style: 'text-align:right' }, balance, h('small.muted', { text: t('balance') }))),
    h('div.hero', {}, streak, checkin));

  const historyList = h('ul.list', { id: 'history' });
  const renderHistory = (items) => historyList.replaceChildren(...(items.length ? items.slice(0, 20).map((x) =>
    h('li.row', {}, h('div.grow', {}, h('div', { text: historyText(x) }), h('small', { text: fmtDate(x.created_at) })),
      h(`span.amount.${x.amount >= 0 ? 'plus' : 'minus'}`, { text: `${x.amount > 0 ? '+' : ''}${x.amount}` })))
    : [h('li.muted.history-empty', { text: t('historyEmpty') })]));
  renderHistory(pts.items);
  async function refreshHistory() {
    try { renderHistory((await get('/api/v1/me/points')).items); } catch (err) { showError(err); }
  }

  const orderList = h('ul.list', { id: 'orders' });
  const renderOrders = (items) => orderList.replaceChildren(...(items.length ? items.map((o) =>
    h('li.row', {}, h('div.grow', {}, h('div', { text: `${labelOf(o.item.labels, o.item.name)} × ${o.quantity}` }), h('small', { text: fmtDate(o.created_at) })),
      h('span', { text: `-${o.total}` }), h(`span.status-pill.${o.status}`, { text: t(`st_${o.status}`) })))
    : [h('li.muted', { text: t('noOrders') })]));
  renderOrders(orders.items);

  const shopList = h('ul.list', { id: 'shop' });
  const shopRows = [];
  // an item the balance cannot pay says how much is missing instead of offering itself
  const showAffordable = () => {
    const have = Number(balance.textContent);
    for (const { item, row, buy } of shopRows) {
      const short = item.price - have;
      row.classList.toggle('unaffordable', short > 0);
      buy.setAttribute('aria-disabled', String(short > 0));
      buy.textContent = item.stock < 1 ? t('soldOut') : short > 0 ? t('pointsShort', { n: short }) : `${t('buy')} · ${item.price}`;
    }
  };
  for (const item of shop.items.filter((x) => x.active !== false)) {
    const name = labelOf(item.labels, item.name);
    const stock = h('small', { text: t('stock', { n: item.stock }) });
    const buy = h('button.primary', { dataset: { item: String(item.id) }, disabled: item.stock < 1 });
    const row = h('li.row', {}, h('div.grow', {}, h('strong', { text: name }), h('div.muted', { text: item.description || '' }), stock), buy);
    buy.addEventListener('click', async () => {
      if (buy.getAttribute('aria-disabled') === 'true') { toast(t('err_noPoints'), 'error'); return; }
      const have = Number(balance.textContent);
      if (!await confirmSheet(t('redeemTitle'), t('redeemAsk', { name, price: item.price, left: have - item.price }), t('redeem'))) return;
      buy.disabled = true;
      try {
        const o = await post('/api/v1/shop/orders', { item_id: item.id, quantity: 1 }, { idem: idempotencyKey() });
        item.stock -= o.quantity;
        stock.textContent = t('stock', { n: item.stock });
        toast(t('ordered', { name }));
        const [p, os] = await Promise.all([get('/api/v1/me/points'), get('/api/v1/me/orders')]);
        balance.textContent = String(p.balance);
        renderHistory(p.items);
        renderOrders(os.items);
      } catch (err) {
        showError(err);
      } finally {
        buy.disabled = item.stock < 1;
        showAffordable();
      }
    });
    shopRows.push({ item, row, buy });
    shopList.append(row);
  }
  showAffordable();
  new MutationObserver(showAffordable).observe(balance, { childList: true, characterData: true, subtree: true });
  if (!shopList.children.length) shopList.append(h('li.muted', { text: t('shopEmpty') }));

  const clipList = h('ul.list', { id: 'my-clips' }, ...(clips.items.length ? clips.items.map((v) => {
    const c = v.status === 'published' ? v.counts : null;
    return h('li.row.clip-row', { dataset: { id: String(v.id) } }, h('a.clip-open', { href: `#clip/${v.id}`, 'aria-label': v.title }),
      v.urls?.thumbnail ? h('img', { src: v.urls.thumbnail, alt: '', loading: 'lazy', width: 54, height: 96 }) : h('img', { alt: '' }),
      h('div.grow', {}, h('strong', { text: v.title }),
        h('div', {}, statusPill(v.status), ' ', h('small', { text: v.status === 'processing' ? `${v.progress}%` : fmtDur(v.duration || 0) })),
        v.error && h('small.form-error', { text: videoErrorText(v) }),
        v.edit && h('small.clip-edit', { text: v.edit.state === 'pending' ? t('editPending', { title: v.edit.title }) : t('editRejected', { e: v.edit.review_reason || '' }) }),
        c && h('small', { text: clipStats(c) }),
        ['pending_review', 'rejected'].includes(v.status) && h('button.link.edit-captions', { type: 'button', text: t('captions'), onclick: () => openCueEditor(v) })));
  }) : [h('li.muted', { text: t('noClips') })]));

  el.append(hero, inboxLink, ...loop,
    h('section.panel', {}, h('h2', { text: t('shop') }), shopList),
    h('section.panel', {}, h('h2', { text: t('myOrders') }), orderList),
    h('section.panel', {}, h('h2', { text: t('myClips') }), clipList),
    h('section.panel', {}, h('h2', { text: t('history') }), historyList),
    h('section.panel.btn-row', {},
      h('button', { id: 'lang-toggle', onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); rerender(); }, text: t('lang') }),
      h('button', { id: 'change-password', onclick: () => showPasswordChange(), text: t('changePassword') }),
      h('button.bad', { id: 'logout', onclick: logout, text: t('logout') })));
  void errText;
  return () => document.removeEventListener('unreadchange', showInboxCount);
}
