// Inbox: what happened to my clips and learning (approved, rejected with the
// trainer's reason, featured, tips, must-watch clips and paths), newest
// first, a page at a time. Opening it marks what it shows read; entries
// about a clip open that clip (#clip/<id>).
import { get, post } from './api.js';
import { t } from './i18n.js';
import { h, fmtDate, showError } from './ui.js';
import { setUnread } from './main.js';

const date = (sec) => new Date(sec * 1000).toLocaleDateString();

/** The entry's line and its second line (reason, note, due date) in the UI's language. */
function entryText(e, giftLabels) {
  const title = e.video?.title || '';
  const who = e.actor?.display_name || '';
  const d = e.detail;
  switch (e.kind) {
    case 'approved': return [t('ib_approved', { title })];
    case 'rejected': return [t('ib_rejected', { title }), d.reason && t('ib_reason', { reason: d.reason })];
    case 'edit_approved': return [t('ib_editApproved', { title })];
    case 'edit_rejected': return [t('ib_editRejected', { title }), d.reason && t('ib_reason', { reason: d.reason })];
    case 'featured': return [t('ib_featured', { title }), d.note];
    case 'creator_featured': return [t('ib_creatorFeatured'), d.note];
    case 'tip': return [t('ib_tip', { who, title, gift: giftLabels.get(d.gift) || d.gift, n: d.count, p: d.points })];
    case 'assigned': case 'pushed': {
      const what = d.path_kind === 'clip' ? t('ib_whatClip', { title }) : t('ib_whatPath', { path: d.path });
      const line = e.kind === 'pushed' ? t('ib_pushed', { what }) : t('ib_assigned', { who, what });
      return [line, [d.due_at && t('ib_due', { date: date(d.due_at) }), d.note].filter(Boolean).join(' · ')];
    }
    default: return [e.kind];
  }
}

export async function mount(el) {
  const list = h('ul.list.inbox', { id: 'inbox-list' });
  const more = h('button.more', { type: 'button', hidden: true, text: t('more') });
  el.append(h('section.panel', {}, h('h1', { text: t('inbox') }), list, more));
  let gifts = new Map();
  try { gifts = new Map((await get('/api/v1/gifts')).items.map((g) => [g.name, g.label])); } catch { /* names then */ }
  const row = (e) => {
    const [line, sub] = entryText(e, gifts);
    const body = [h('p.ib-line', { text: line }), sub && h('p.ib-sub', { text: sub }), h('small', { text: fmtDate(e.created_at) })];
    const open = e.video && e.video.status !== 'removed';
    return h(`li.ib-entry${e.read ? '' : '.unread'}`, { dataset: { id: String(e.id), kind: e.kind } },
      open ? h('a.ib-open', { href: `#clip/${e.video.id}` }, ...body) : h('div', {}, ...body));
  };
  let before = 0;
  async function page() {
    more.disabled = true;
    const r = await get(`/api/v1/me/inbox?limit=20${before ? `&before=${before}` : ''}`);
    list.append(...r.items.map(row));
    before = r.next_before;
    more.hidden = !before;
    more.disabled = false;
    return r;
  }
  more.addEventListener('click', () => page().catch(showError));
  const first = await page();
  if (!first.items.length) list.append(h('li.muted', { text: t('ib_empty') }));
  if (first.unread > 0) {
    try { setUnread((await post('/api/v1/me/inbox/read', { up_to: first.items[0].id })).unread); } catch (err) { showError(err); }
  }
}
