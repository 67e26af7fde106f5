// Trainer numbers: leaderboards and analytics (retention curves, team bars).
import { get } from './api.js';
import { t } from './i18n.js';
import { h, errText, fmtCount } from './ui.js';
import { retentionChart, barChart } from './charts.js';

export async function boards() {
  const wrap = h('div', { id: 'boards' });
  const period = h('select', { name: 'period' }, ['week', 'month', 'all'].map((p) => h('option', { value: p, text: t(p) })));
  const lists = h('div');
  async function load() {
    const [c, l] = await Promise.all([get(`/api/v1/leaderboards/creators?period=${period.value}`), get(`/api/v1/leaderboards/learners?period=${period.value}`)]);
    const rows = (items, fmt) => h('ol.list', {}, items.slice(0, 10).map((x, i) => h('li.row', {}, h('span.rank', { text: String(i + 1) }),
      h('div.grow', {}, h('strong', { text: x.display_name }), h('div.muted', { text: x.team || '' })), h('span', { text: fmt(x) }))));
    lists.replaceChildren(
      h('section.panel', {}, h('h2', { text: t('creators') }), rows(c.items, (x) => `${x.completions} ${t('completions')} · ♥ ${fmtCount(x.likes)}`)),
      h('section.panel', {}, h('h2', { text: t('learners') }), rows(l.items, (x) => `${x.points_earned} ${t('points')} · ${Math.round(x.minutes_watched * 10) / 10} ${t('minutes')}`)));
  }
  period.addEventListener('change', () => load().catch((e) => lists.replaceChildren(h('p.form-error', { text: errText(e) }))));
  await load();
  wrap.append(h('div.panel', {}, h('label', {}, h('span', { text: t('period') }), period)), lists);
  return wrap;
}

export async function analytics() {
  const [clips, teams] = await Promise.all([get('/api/v1/analytics/videos?limit=12'), get('/api/v1/analytics/teams')]);
  const details = await Promise.all(clips.items.slice(0, 12).map((c) => get(`/api/v1/analytics/videos/${c.video_id}`).catch(() => null)));
  const teamPanel = h('section.panel', { id: 'team-activity' }, h('h2', { text: t('teamActivity') }),
    barChart(teams.items.map((x) => ({ label: x.team, value: x.completions_per_member, text: `${x.completions_per_member}` })), t('teamActivity')));
  const cards = clips.items.slice(0, 12).map((c, i) => h('section.panel.analytics-card', { dataset: { id: String(c.video_id) } },
    h('h3', { text: c.title }),
    h('p.muted', { text: `${c.creator} · ${c.starts} ${t('starts')} · ${c.completions} ${t('completions')} · ${t('avgWatch', { p: c.average_watch_percent ?? '–' })}` }),
    h('small.muted', { text: t('retention') }),
    retentionChart(details[i]?.retention || [], `${t('retention')}: ${c.title}`)));
  return [teamPanel, ...cards];
}
