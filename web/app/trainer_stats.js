// Trainer numbers: leaderboards (period and sort) and analytics: clips in the
// order asked within a publication date range, a page at a time, with their
// retention curves ("no data" for a clip nobody started), team activity with
// full names, and CSV exports of what is shown.
import { get, getAll, downloadCsv } from './api.js';
import { t } from './i18n.js';
import { h, errText, fmtCount } from './ui.js';
import { retentionChart, barChart } from './charts.js';
import { namedLabels, teamName } from './labels.js';

// each board's sorts, the first its default (GET /api/v1/leaderboards/{board})
const BOARD_SORTS = { creators: ['completions', 'likes', 'tips'], learners: ['points', 'minutes', 'streak'] };
const BOARD_TEXT = {
  creators: (x) => `${x.completions} ${t('completions')} · ♥ ${fmtCount(x.likes)} · ${t('tipsN')} ${fmtCount(x.tips_received)}`,
  learners: (x) => `${x.points_earned} ${t('points')} · ${Math.round(x.minutes_watched * 10) / 10} ${t('minutes')} · ${t('streakDays', { n: x.streak ?? 0 })}`,
};

/** A sorted list's query from its controls: sort and order, and the days
 *  from/to when set (its CSV export asks for the same list). */
export function listQuery(sort, order, from, to) {
  const q = new URLSearchParams({ sort: sort.value, order: order.value });
  if (from.value) q.set('from', from.value);
  if (to.value) q.set('to', to.value);
  return q;
}

/** A <select> named `name` of `values` (shown as `textOf(v)`) and its <label> (`label`). */
export const select = (name, label, values, textOf) => {
  const el = h('select', { name }, values.map((v) => h('option', { value: v, text: textOf(v) })));
  return [el, h('label', {}, h('span', { text: label }), el)];
};

export async function boards() {
  const wrap = h('div', { id: 'boards' });
  const names = await namedLabels();
  const [period, periodLabel] = select('period', t('period'), ['week', 'month', 'all'], (p) => t(p));
  const panels = Object.keys(BOARD_SORTS).map((board) => {
    const [sort, sortLabel] = select(`${board}-sort`, t('sortBy'), BOARD_SORTS[board], (s) => t(`board_${s}`));
    const list = h('ol.list');
    const out = h('p.form-error', { role: 'alert' });
    const load = async () => {
      out.textContent = '';
      try {
        const r = await get(`/api/v1/leaderboards/${board}?${new URLSearchParams({ period: period.value, sort: sort.value })}`);
        list.replaceChildren(...r.items.slice(0, 10).map((x, i) => h('li.row', {}, h('span.rank', { text: String(i + 1) }),
          h('div.grow', {}, h('strong', { text: x.display_name }), h('div.muted', { text: teamName(names, x.team) })), h('span', { text: BOARD_TEXT[board](x) }))));
      } catch (err) {
        out.textContent = errText(err);
      }
    };
    sort.addEventListener('change', load);
    return { load, el: h('section.panel', { id: `board-${board}` }, h('h2', { text: t(board) }), sortLabel, out, list) };
  });
  period.addEventListener('change', () => Promise.all(panels.map((p) => p.load())));
  await Promise.all(panels.map((p) => p.load()));
  wrap.append(h('div.panel', {}, periodLabel), ...panels.map((p) => p.el));
  return wrap;
}

const CLIP_SORTS = ['created', 'starts', 'completions', 'completion_rate', 'likes'];
const PAGE = 12;

/** One clip's card: its numbers and retention curve, or "no data" when nobody started it. */
async function clipCard(c) {
  const started = c.starts > 0;
  const detail = started ? await get(`/api/v1/analytics/videos/${c.video_id}`).catch(() => null) : null;
  return h('section.panel.analytics-card', { dataset: { id: String(c.video_id) } },
    h('h3', { text: c.title }),
    h('p.muted', { text: `${c.creator} · ${c.starts} ${t('starts')} · ${c.completions} ${t('completions')}${started ? ` · ${t('avgWatch', { p: c.average_watch_percent ?? '–' })}` : ''}` }),
    h('small.muted', { text: t('retention') }),
    started ? retentionChart(detail?.retention || [], `${t('retention')}: ${c.title}`) : h('p.no-data', { text: t('noData') }));
}

export async function analytics() {
  const [teams, names] = await Promise.all([getAll('/api/v1/analytics/teams'), namedLabels()]);
  const teamPanel = h('section.panel', { id: 'team-activity' }, h('h2', { text: t('teamActivity') }),
    barChart(teams.items.map((x) => ({ label: teamName(names, x.team), value: x.completions_per_member, text: `${x.completions_per_member}` })), t('teamActivity')));

  const [sort, sortLabel] = select('sort', t('sortBy'), CLIP_SORTS, (s) => t(`sort_${s}`));
  const [order, orderLabel] = select('order', t('order'), ['desc', 'asc'], (o) => t(`order_${o}`));
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const out = h('p.form-error', { role: 'alert' });
  const cards = h('div', { id: 'analytics-clips' });
  const more = h('button', { type: 'button', id: 'analytics-more', text: t('more'), hidden: true });
  const csv = h('button', { type: 'button', id: 'analytics-csv', text: `⬇ ${t('downloadCsv')}` });
  let cursor = null, gen = 0;
  const query = () => listQuery(sort, order, from, to);
  async function load(reset) {
    const mine = reset ? ++gen : gen;
    out.textContent = '';
    const q = query();
    q.set('limit', String(PAGE));
    if (!reset && cursor) q.set('cursor', cursor);
    try {
      const page = await get(`/api/v1/analytics/videos?${q}`);
      const made = await Promise.all(page.items.map(clipCard));
      if (mine !== gen) return;
      if (reset) cards.replaceChildren(...(made.length ? [] : [h('p.panel.muted', { text: t('noClipsInRange') })]));
      cards.append(...made);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      if (mine === gen) out.textContent = errText(err);
    }
  }
  for (const c of [sort, order, from, to]) c.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  csv.addEventListener('click', async () => {
    csv.disabled = true;
    out.textContent = '';
    const q = query();
    q.set('format', 'csv');
    try {
      await downloadCsv(`/api/v1/analytics/videos?${q}`, `clips${from.value ? '-' + from.value : ''}${to.value ? '-' + to.value : ''}.csv`);
    } catch (err) {
      out.textContent = errText(err);
    } finally {
      csv.disabled = false;
    }
  });
  await load(true);
  const controls = h('section.panel', { id: 'analytics-controls' }, h('h2', { text: t('clipNumbers') }),
    h('div.btn-row', {}, sortLabel, orderLabel),
    h('div.btn-row', {}, h('label', {}, h('span', { text: t('publishedFrom') }), from), h('label', {}, h('span', { text: t('publishedTo') }), to)),
    out, csv);
  return [teamPanel, controls, cards, h('div.panel', {}, more)];
}
