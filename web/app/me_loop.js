// Me › the learning loop: my assignments, one list of must-watch clips and
// learning paths (due date, progress, next step), and my skill gaps (score
// and evidence, said in the UI's language from the evidence's structured
// fields, never from server sentences).
import { get } from './api.js';
import { t, lang } from './i18n.js';
import { h } from './ui.js';
import { labelOf } from './labels.js';

// the demo catalogue's metrics, for callers that may not read GET /api/v1/metrics
const METRIC_KEYS = { qa_score: 'm_qa_score', csat: 'm_csat', aht_seconds: 'm_aht_seconds', fcr_rate: 'm_fcr_rate', compliance_misses: 'm_compliance_misses' };

/** The catalogue (GET /api/v1/metrics items) by slug, or {} when the caller may not read it. */
export async function metricCatalogue() {
  try {
    return Object.fromEntries((await get('/api/v1/metrics')).items.map((m) => [m.name, m]));
  } catch {
    return {};
  }
}

/** A metric's name in the UI's language: the catalogue's label, the client's own
 * words for the demo's five, or its slug. */
export function metricLabel(slug, catalogue = {}) {
  const l = catalogue[slug]?.label?.[lang()];
  if (l) return l;
  return METRIC_KEYS[slug] ? t(METRIC_KEYS[slug]) : slug;
}

/** The skill tags (GET /api/v1/tags items) as slug → labels {en, zh}, or {}
 * when they cannot be read. Asked once per page load (the feed asks at every
 * visit); a failure is asked again next time. */
let tags = null;
export function tagCatalogue() {
  tags ??= get('/api/v1/tags')
    .then((r) => Object.fromEntries(r.items.map((x) => [x.name, x.labels || { en: x.label }])))
    .catch(() => { tags = null; return {}; });
  return tags;
}

/** A skill tag's name in the UI's language: its label in this language,
 * else in the other one, else its slug. */
export const tagLabel = (slug, labels) => labelOf(labels, slug);

/** "QA score (Refunds & returns)" / "质检得分（退款与退货）", or the metric alone
 * without a tag; `labels` are the tag's {en, zh}. */
export function metricWithTag(slug, tag, catalogue, labels) {
  const m = metricLabel(slug, catalogue);
  return tag ? t('metricTag', { metric: m, tag: tagLabel(tag, labels) }) : m;
}

/** A number as people read it in the UI's language: at most one decimal,
 * digits grouped, a sign when asked. */
export function num(v, signed = false) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const r = Math.round(v * 10) / 10 || 0; // no "-0"
  return new Intl.NumberFormat(lang() === 'en' ? 'en-US' : 'zh-CN', { maximumFractionDigits: 1, signDisplay: signed ? 'exceptZero' : 'auto' }).format(r);
}

export const fmtDay = (sec) => new Date(sec * 1000).toLocaleDateString(lang() === 'en' ? 'en-US' : 'zh-CN', { month: 'short', day: 'numeric' });

/** One evidence item in the UI's language from its code and fields; `labels`
 * are its tag's (the gap's tag_labels). */
export function evidenceText(ev, catalogue, labels) {
  const code = ev.code === 'below-target-team-bottom' ? 'ev_below-target-team-bottom' : 'ev_below-target';
  return t(code, {
    metric: metricWithTag(ev.metric, ev.tag, catalogue, labels), value: num(ev.value), target: num(ev.target),
    days: ev.days, window: ev.window_days, p: ev.percentile ?? '–',
  });
}

/** A bar for `share` (0–1) whose name for screen readers is `label`. */
function progressBar(share, label, cls = '') {
  const pct = Math.max(0, Math.min(100, Math.round(share * 100)));
  return h(`div.progress${cls ? '.' + cls : ''}`, { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'aria-label': label },
    h('span', { style: `width:${pct}%` }));
}

/** One assignment of GET /api/v1/me/assignments: a must-watch clip (a
 * one-clip path) or a learning path, with its due date, progress and a link
 * to the clip to watch next. */
function assignmentRow(a) {
  const clip = a.kind === 'clip';
  const done = a.state === 'complete';
  const meta = [a.due_at ? t('pathDue', { date: fmtDay(a.due_at) }) : t('noDue'), t(a.source === 'rule' ? 'src_rule' : 'src_trainer')];
  const stepsText = t(clip ? 'clipsWatched' : 'stepsDone', { d: a.steps_done, n: a.step_count });
  const next = !done && a.next && !clip ? t('nextStep', { title: a.next.title || t('stepClip', { n: a.next.position }) }) : '';
  return h('li.assignment-row', { dataset: { path: String(a.path_id), kind: a.kind, state: a.state } },
    h('div.badges', {},
      h(`span.badge.${clip ? 'must' : 'kind-path'}`, { text: t(clip ? 'mustWatch' : 'kindPath') }),
      a.overdue && h('span.badge.overdue', { text: t('overdue') })),
    h('div', {}, h('strong.title', { text: a.title })),
    h('div.muted.due', { text: meta.join(' · ') }),
    a.note ? h('div.note', { text: a.note }) : null,
    progressBar(a.step_count ? a.steps_done / a.step_count : 0, `${a.title}: ${stepsText}`),
    h('div.row', {},
      h('small.steps-done', { text: stepsText }),
      done ? h('small', { text: t('pathDone') }) : next ? h('small.grow.next-step', { text: next }) : null,
      !done && a.next?.needs_quiz && h('span.badge.quiz-needed', { text: t('quizNeeded') }),
      // the clip to watch next opens on its own screen
      !done && a.next && h('a.button.primary.watch-next', { href: `#clip/${a.next.video_id}`, text: t('watchNow') })));
}

function gapRow(g, catalogue) {
  // evidence names the gap's own tag, or none (an overall metric speaking for the skill)
  const labelsOf = (tag) => (tag === g.tag ? g.tag_labels : undefined);
  return h('li.gap-row', { dataset: { tag: g.tag } },
    h('div.row', {}, h('strong.grow.gap-skill', { text: tagLabel(g.tag, g.tag_labels) }), g.score !== null && h('small', { text: t('gapScore', { n: g.score }) })),
    progressBar(g.score / 100, `${tagLabel(g.tag, g.tag_labels)}: ${t('gapScore', { n: g.score })}`, 'score-bar'),
    g.manual && h('span.badge.quiz-badge', { text: t('setByTrainer') }),
    g.evidence?.length ? h('ul.evidence', {}, g.evidence.map((ev) => h('li', { text: evidenceText(ev, catalogue, labelsOf(ev.tag)) }))) : null);
}

/** The two Me panels for the user `me` (GET /api/v1/me): assignments, skill gaps. */
export async function loopPanels(me) {
  const trainer = ['trainer', 'admin'].includes(me.role);
  const [assigned, profile, catalogue] = await Promise.all([
    get('/api/v1/me/assignments'), get(`/api/v1/users/${me.id}/profile`), trainer ? metricCatalogue() : {},
  ]);
  const list = h('ul.list', { id: 'my-assignments' }, assigned.items.length ? assigned.items.map(assignmentRow) : h('li.muted', { text: t('noAssignments') }));
  const gaps = profile.gaps || [];
  const gapList = h('ul.list', { id: 'my-gaps' }, gaps.length ? gaps.map((g) => gapRow(g, catalogue)) : h('li.muted', { text: t('noGaps') }));
  return [
    h('section.panel', { id: 'assignments-panel' }, h('h2', { text: t('myAssignments') }), list),
    h('section.panel', { id: 'gaps-panel' }, h('h2', { text: t('myGaps') }), gapList),
  ];
}
