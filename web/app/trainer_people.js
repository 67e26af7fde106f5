// Trainer numbers: the people list (GET /api/v1/analytics/users). Each
// learner's totals with their full team name, in the order asked for,
// optionally counted on a range of days (then only who was active on them),
// a page at a time, and the CSV export of the whole list as asked.
import { get, downloadCsv } from './api.js';
import { t } from './i18n.js';
import { h, errText } from './ui.js';
import { num } from './me_loop.js';
import { select, listQuery } from './trainer_stats.js';
import { namedLabels, teamName } from './labels.js';

// the server's sorts; `created` is when the account was made, `likes` the likes given
const SORTS = ['completions', 'starts', 'completion_rate', 'likes', 'created'];
const PAGE = 20;


/** One learner's row: name, full team name (in the UI's language; `names`
 *  from namedLabels()) and all-time numbers. */
function personRow(p, names) {
  const rate = Math.round((p.completions / Math.max(p.clips_started, 1)) * 100);
  return h('li.row.person-row', { dataset: { id: String(p.user_id) } },
    h('div.grow', {},
      h('strong', { text: p.display_name }),
      h('div.muted.person-team', { text: teamName(names, p.team) || t('ad_noTeam') }),
      h('div.person-numbers', { text: [
        t('pp_minutes', { n: num(p.minutes_watched) }), t('pp_starts', { n: p.clips_started }),
        t('pp_completions', { n: p.completions }), t('pp_rate', { p: rate }),
        p.streak > 0 && t('streakDays', { n: p.streak }), t('pp_points', { n: p.points_earned }),
      ].filter(Boolean).join(' · ') })));
}

export async function people() {
  const [sort, sortLabel] = select('people-sort', t('sortBy'), SORTS, (s) => t(`psort_${s}`));
  const [order, orderLabel] = select('people-order', t('order'), ['desc', 'asc'], (o) => t(`order_${o}`));
  const from = h('input', { type: 'date', name: 'people-from' });
  const to = h('input', { type: 'date', name: 'people-to' });
  const note = h('p.muted', { id: 'people-range-note', text: t('pp_rangeNote'), hidden: true });
  const out = h('p.form-error', { role: 'alert' });
  const list = h('ol.list', { id: 'people-list', 'aria-label': t('peopleList') });
  const more = h('button', { type: 'button', id: 'people-more', text: t('more'), hidden: true });
  const csv = h('button', { type: 'button', id: 'people-csv', text: `⬇ ${t('downloadCsv')}` });
  let cursor = null, gen = 0;
  const names = await namedLabels();

  // the list as asked: its sort, order and days (the CSV exports the same list)
  const asked = () => listQuery(sort, order, from, to);

  async function load(reset) {
    const mine = reset ? ++gen : gen;
    out.textContent = '';
    const q = asked();
    q.set('limit', String(PAGE));
    if (!reset && cursor) q.set('cursor', cursor);
    note.hidden = !from.value && !to.value;
    more.disabled = true;
    try {
      const page = await get(`/api/v1/analytics/users?${q}`);
      if (mine !== gen) return;
      const rows = page.items.map((p) => personRow(p, names));
      if (reset) list.replaceChildren(...(rows.length ? [] : [h('li.muted.empty', { id: 'people-empty', text: t(note.hidden ? 'pp_none' : 'pp_noneInRange') })]));
      list.append(...rows);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      if (mine === gen) out.textContent = errText(err);
    } finally {
      more.disabled = false;
    }
  }
  for (const c of [sort, order, from, to]) c.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  csv.addEventListener('click', async () => {
    csv.disabled = true;
    out.textContent = '';
    try {
      await downloadCsv(`/api/v1/analytics/users?format=csv&${asked()}`, 'people.csv');
    } catch (err) {
      out.textContent = errText(err);
    } finally {
      csv.disabled = false;
    }
  });
  await load(true);
  return [
    h('section.panel', { id: 'people-controls' }, h('h2', { text: t('peopleNumbers') }),
      h('div.btn-row', {}, sortLabel, orderLabel),
      h('div.btn-row', {}, h('label', {}, h('span', { text: t('activeFrom') }), from), h('label', {}, h('span', { text: t('activeTo') }), to)),
      note, out, csv, h('p.muted', { text: t('pp_csvHint') })),
    h('section.panel', { id: 'people-panel' }, list, more),
  ];
}
