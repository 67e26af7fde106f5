// Trainer pages of the learning loop: learning paths (list, editor, assign,
// archive), push rules (list, create, switch on and off, history) and impact
// of a path, a clip or a rule (difference in differences with its 95%
// interval, said in the UI's language, and its CSV). Skill tags show by their
// label in the UI's language.
import { get, getAll, post, patch, downloadCsv } from './api.js';
import { t, lang } from './i18n.js';
import { h, toast, errText } from './ui.js';
import { intervalChart } from './charts.js';
import { namedLabels, teamName } from './labels.js';
import { metricCatalogue, metricLabel, metricWithTag, num, tagCatalogue, tagLabel } from './me_loop.js';

const isoDay = (offsetDays) => new Date(Date.now() + offsetDays * 864e5).toISOString().slice(0, 10);
const option = (value, text, selected) => h('option', { value: String(value), text, selected: Boolean(selected) });
const field = (label, input) => h('label', {}, h('span', { text: label }), input);

/** Runs `fn` with `btn` disabled, showing a problem in `out`. */
async function busy(btn, out, fn) {
  btn.disabled = true;
  out.textContent = '';
  try {
    await fn();
  } catch (err) {
    out.textContent = errText(err);
  } finally {
    btn.disabled = false;
  }
}

// ---- paths ----

export async function paths() {
  const [list, clips, teams, users, names] = await Promise.all([get('/api/v1/paths'), getAll('/api/v1/analytics/videos'),
    getAll('/api/v1/analytics/teams'), getAll('/api/v1/analytics/users'), namedLabels()]);
  const people = users.items.slice().sort((x, y) => x.display_name.localeCompare(y.display_name));
  const pathList = h('ul.list', { id: 'path-list' });
  const render = (items) => pathList.replaceChildren(...(items.length ? items.map((p) => pathItem(p, { teams, people, names, reload }))
    : [h('li.muted', { text: t('empty') })]));
  async function reload() { render((await get('/api/v1/paths')).items); }
  render(list.items);
  return [pathEditor(clips.items, reload), h('section.panel', { id: 'paths-list-panel' }, h('h2', { text: t('paths') }), pathList)];
}

function pathEditor(clips, reload) {
  const name = h('input', { name: 'name', maxlength: 120, autocomplete: 'off' });
  const steps = h('ol.list', { id: 'path-steps' });
  const out = h('p.form-error', { role: 'alert' });
  const renumber = () => [...steps.children].forEach((li, i) => {
    li.querySelector('button').setAttribute('aria-label', t('removeStep', { n: i + 1 }));
    li.querySelector('.step-n').textContent = `${i + 1}.`;
  });
  function addStep() {
    const pick = h('select', { name: 'video_id', 'aria-label': t('pickClip') }, clips.map((c) => option(c.video_id, c.title)));
    pick.selectedIndex = Math.min(steps.children.length, clips.length - 1);
    const li = h('li.step-row.row', {}, h('span.step-n'), pick,
      h('label.gate', {}, h('input', { type: 'checkbox', name: 'quiz_gate' }), h('span', { text: t('quizGate') })),
      h('button.icon', { type: 'button', text: '✕', onclick: () => { li.remove(); renumber(); } }));
    steps.append(li);
    renumber();
  }
  const add = h('button', { type: 'button', id: 'path-add-step', text: `＋ ${t('addStep')}`, onclick: addStep });
  const create = h('button.primary.big', { type: 'button', id: 'path-create', text: t('createPath') });
  create.addEventListener('click', () => busy(create, out, async () => {
    const body = {
      name: name.value.trim(),
      steps: [...steps.children].map((li) => ({ video_id: Number(li.querySelector('select').value), quiz_gate: li.querySelector('input').checked })),
    };
    if (!body.steps.length) { out.textContent = t('noStepsYet'); return; }
    const made = await post('/api/v1/paths', body);
    toast(t('pathCreated', { name: made.name ?? body.name }));
    name.value = '';
    steps.replaceChildren();
    addStep();
    await reload();
  }));
  if (clips.length) addStep();
  return h('section.panel', { id: 'path-editor' }, h('h2', { text: t('newPath') }), field(t('fieldName'), name),
    steps, add, out, create);
}

function pathItem(p, { teams, people, names, reload }) {
  const li = h('li.path-row', { dataset: { path: String(p.id) } });
  const head = h('div.row', {},
    h('div.grow', {}, h('strong', { text: p.name }),
      h('div.muted', { text: `${t('stepsN', { n: p.step_count })} · ${t('assignedN', { n: p.assigned ?? 0 })}` })),
    p.archived && h('span.badge.quiz-badge', { text: t('archived') }));
  li.append(head);
  if (p.archived) return li;
  const out = h('p.form-error', { role: 'alert' });
  const form = h('div.assign-form', { hidden: true });
  const open = h('button.primary', { type: 'button', dataset: { assign: String(p.id) }, text: t('assignPath') });
  const archive = h('button', { type: 'button', dataset: { archive: String(p.id) }, text: t('archive') });
  open.addEventListener('click', () => {
    if (!form.children.length) form.append(...assignForm(p, { teams, people, names, reload, out }));
    form.hidden = !form.hidden;
  });
  archive.addEventListener('click', () => busy(archive, out, async () => {
    if (!confirm(t('archiveConfirm', { name: p.name }))) return;
    await post(`/api/v1/paths/${p.id}/archive`);
    toast(t('archived'));
    await reload();
  }));
  li.append(h('div.btn-row', {}, open, archive), form, out);
  return li;
}

function assignForm(p, { teams, people, names, reload, out }) {
  const checks = h('div.checks', {}, teams.items.map((x) => h('label', {}, h('input', { type: 'checkbox', value: String(x.team_id) }), h('span', { text: teamName(names, x.team) }))));
  const person = h('select', { name: 'user_id' }, option('', t('nobody')), people.map((x) => option(x.user_id, `${x.display_name}${x.team ? ' · ' + teamName(names, x.team) : ''}`)));
  const due = h('input', { type: 'date', name: 'due_date', value: isoDay(14) });
  const go = h('button.primary', { type: 'button', text: t('assignPath') });
  go.addEventListener('click', () => busy(go, out, async () => {
    const team_ids = [...checks.querySelectorAll('input:checked')].map((c) => Number(c.value));
    const user_ids = person.value ? [Number(person.value)] : [];
    await post(`/api/v1/paths/${p.id}/assignments`, { team_ids, user_ids, due_date: due.value });
    toast(t('pathAssigned', { name: p.name }));
    await reload();
  }));
  return [h('fieldset.teams', {}, h('legend', { text: t('teams') }), checks), field(t('person'), person), field(t('dueDate'), due), go];
}

// ---- push rules ----

export async function rules({ open } = {}) {
  const [list, pathList, catalogue, tags] = await Promise.all([get('/api/v1/push-rules'), get('/api/v1/paths'), metricCatalogue(), tagCatalogue()]);
  const pathNames = new Map(pathList.items.map((p) => [p.id, p.name]));
  const ruleList = h('ul.list', { id: 'rule-list' });
  const render = (items) => ruleList.replaceChildren(...(items.length ? items.map((r) => ruleItem(r, { pathNames, catalogue, tags, open }))
    : [h('li.muted', { text: t('empty') })]));
  render(list.items);
  const reload = async () => render((await get('/api/v1/push-rules')).items);
  return [h('section.panel', { id: 'rules-panel' }, h('h2', { text: t('rules') }), ruleList), ruleForm(pathList.items.filter((p) => !p.archived), catalogue, tags, reload)];
}

/** The rule's on/off switch: PATCHes `active` and shows what the server answered. */
function ruleSwitch(r, li, out) {
  const input = h('input', { type: 'checkbox', role: 'switch', name: 'active', checked: Boolean(r.active), dataset: { toggle: String(r.id) } });
  const state = h('span.switch-state');
  const show = (active) => {
    input.checked = active;
    li.dataset.active = String(active);
    state.textContent = t(active ? 'ruleActive' : 'ruleInactive');
  };
  show(Boolean(r.active));
  input.addEventListener('change', async () => {
    const want = input.checked;
    input.disabled = true;
    out.textContent = '';
    try {
      const saved = await patch(`/api/v1/push-rules/${r.id}`, { active: want });
      show(Boolean(saved.active));
      toast(t(saved.active ? 'ruleOnToast' : 'ruleOffToast', { name: r.name }));
    } catch (err) {
      show(!want);
      out.textContent = errText(err);
    } finally {
      input.disabled = false;
    }
  });
  return h('label.switch', { title: t('ruleSwitch') }, input, state);
}

function ruleItem(r, { pathNames, catalogue, tags, open }) {
  const history = h('div.push-history');
  const out = h('p.form-error', { role: 'alert' });
  const btn = h('button', { type: 'button', dataset: { history: String(r.id) }, text: t('showHistory') });
  btn.addEventListener('click', () => busy(btn, out, async () => {
    if (history.children.length) { history.replaceChildren(); return; }
    const full = await get(`/api/v1/push-rules/${r.id}`);
    history.replaceChildren(h('h3', { text: t('pushHistory') }), h('ul.list', {}, full.history?.length ? full.history.map((x) => h('li.row', { dataset: { user: String(x.user_id) } },
      h('div.grow', {}, h('strong', { text: x.display_name }),
        h('div.muted', { text: t('pushTrigger', { date: x.trigger_date, value: num(x.trigger_value) }) }),
        x.path && h('small', { text: t('stepsDone', { d: x.path.steps_done, n: x.path.step_count }) })),
      x.overdue && h('span.badge.overdue', { text: t('overdue') }),
      h(`span.status-pill.${x.state}`, { text: ['open', 'qualified'].includes(x.state) ? t(`push_${x.state}`) : x.state })))
      : h('li.muted', { text: t('noPushes') })));
  }));
  const impactBtn = h('button', { type: 'button', dataset: { impact: String(r.id) }, text: t('ruleImpact'), onclick: () => open?.('impact', { rule: r }) });
  const p = r.pushes || {};
  const li = h('li.rule-row.path-row', { dataset: { rule: String(r.id) } });
  li.append(
    h('div.row', {}, h('div.grow', {}, h('strong', { text: r.name }),
      h('div.muted.rule-summary', { text: t('ruleSummary', { metric: metricWithTag(r.metric, r.tag, catalogue, tags[r.tag]), threshold: num(r.threshold), min: r.min_days, window: r.window_days, path: pathNames.get(r.path_id) || `#${r.path_id}` }) }),
      h('small.push-counts', { text: t('pushCounts', { o: p.open ?? 0, q: p.qualified ?? 0, d: p.overdue ?? 0 }) })),
    ruleSwitch(r, li, out)),
    h('div.btn-row', {}, btn, impactBtn), out, history);
  return li;
}

/** A metric picker from the catalogue and a skill-tag picker (labels in the
 * UI's language) that shows for per-skill metrics. */
function metricPicker(catalogue, tags, prefix) {
  const metric = h('select', { name: 'metric', id: `${prefix}-metric` }, Object.values(catalogue).map((m) => option(m.name, metricLabel(m.name, catalogue))));
  const slugs = Object.keys(tags).sort((a, b) => tagLabel(a, tags[a]).localeCompare(tagLabel(b, tags[b]), lang() === 'en' ? 'en' : 'zh-CN'));
  // without the tag list (an older server), the slug is typed
  const tag = slugs.length ? h('select', { name: 'tag', id: `${prefix}-tag` }, slugs.map((x) => option(x, tagLabel(x, tags[x]))))
    : h('input', { name: 'tag', id: `${prefix}-tag`, autocomplete: 'off', autocapitalize: 'none', placeholder: 'refunds' });
  const tagLabelEl = field(t('tag'), tag);
  const sync = () => { tagLabelEl.hidden = !catalogue[metric.value]?.per_skill; };
  metric.addEventListener('change', sync);
  if (catalogue.qa_score) metric.value = 'qa_score';
  sync();
  /** Picks `m` (and tag `tg`, when it has one) as if the trainer had. */
  const set = (m, tg) => {
    if (catalogue[m]) metric.value = m;
    if (tg) tag.value = tg;
    sync();
  };
  return { metric, tag, tagLabel: tagLabelEl, set, tagValue: () => (tagLabelEl.hidden ? undefined : tag.value.trim() || undefined) };
}

function ruleForm(livePaths, catalogue, tags, reload) {
  const name = h('input', { name: 'name', maxlength: 120, autocomplete: 'off' });
  const mp = metricPicker(catalogue, tags, 'rule');
  const n = (nm, value, extra = {}) => h('input', { type: 'number', name: nm, value: String(value), inputmode: 'decimal', ...extra });
  const threshold = n('threshold', 70, { step: 'any' });
  const windowDays = n('window_days', 7, { min: 1 });
  const minDays = n('min_days', 5, { min: 1 });
  const dueDays = n('due_days', 7, { min: 1 });
  const recoverDays = n('recover_days', 3, { min: 1 });
  const path = h('select', { name: 'path_id' }, livePaths.map((p) => option(p.id, p.name)));
  const out = h('p.form-error', { role: 'alert' });
  const go = h('button.primary.big', { type: 'button', id: 'rule-create', text: t('createRule') });
  go.addEventListener('click', () => busy(go, out, async () => {
    const body = {
      name: name.value.trim(), metric: mp.metric.value, threshold: Number(threshold.value), window_days: Number(windowDays.value),
      min_days: Number(minDays.value), path_id: Number(path.value), due_days: Number(dueDays.value), recover_days: Number(recoverDays.value),
    };
    const tag = mp.tagValue();
    if (tag) body.tag = tag;
    const made = await post('/api/v1/push-rules', body);
    toast(t('ruleCreated', { name: made.name ?? body.name }));
    name.value = '';
    await reload();
  }));
  return h('section.panel', { id: 'rule-form' }, h('h2', { text: t('newRule') }), field(t('fieldName'), name),
    h('div.form-grid', {}, field(t('metric'), mp.metric), mp.tagLabel, field(t('threshold'), threshold), field(t('windowDays'), windowDays),
      field(t('minDays'), minDays), field(t('recoverDays'), recoverDays), field(t('dueDays'), dueDays)),
    field(t('paths'), path), out, go);
}

// ---- impact ----

// what an impact report can be about, and the query parameter that names it
const KINDS = { path: 'path_id', video: 'video_id', rule: 'rule_id' };

/** The impact page: what to evaluate (a path, a clip or a push rule), by
 * which metric and tag; `rule` (a push rule from the rule list) presets the
 * picker to that rule, its metric and tag, and shows the report at once. */
export async function impact({ rule } = {}) {
  const [pathList, clips, ruleList, catalogue, tags] = await Promise.all([get('/api/v1/paths'), getAll('/api/v1/analytics/videos'),
    get('/api/v1/push-rules'), metricCatalogue(), tagCatalogue()]);
  const items = {
    path: pathList.items.map((p) => ({ id: p.id, name: p.name })),
    video: clips.items.map((c) => ({ id: c.video_id, name: c.title })),
    rule: ruleList.items.map((r) => ({ id: r.id, name: r.name, metric: r.metric, tag: r.tag })),
  };
  const kind = h('select', { name: 'kind', id: 'impact-kind' }, Object.keys(KINDS).map((k) => option(k, t(`impactKind_${k}`))));
  const item = h('select', { name: 'item', id: 'impact-item' });
  const mp = metricPicker(catalogue, tags, 'impact');
  const fillItems = () => item.replaceChildren(...(items[kind.value].length ? items[kind.value].map((x) => option(x.id, x.name))
    : [option('', t('empty'))]));
  // a rule is judged by its own metric and tag unless the trainer picks another
  const followRule = () => {
    const r = kind.value === 'rule' && items.rule.find((x) => String(x.id) === item.value);
    if (r) mp.set(r.metric, r.tag);
  };
  kind.addEventListener('change', () => { fillItems(); followRule(); });
  item.addEventListener('change', followRule);
  fillItems();
  const out = h('p.form-error', { role: 'alert' });
  const result = h('div', { id: 'impact-result' });
  const go = h('button.primary.big', { type: 'button', id: 'impact-go', text: t('showImpact') });
  const query = () => {
    const q = new URLSearchParams({ [KINDS[kind.value]]: item.value, metric: mp.metric.value });
    const tag = mp.tagValue();
    if (tag) q.set('tag', tag);
    return q;
  };
  const run = () => busy(go, out, async () => {
    result.replaceChildren();
    if (!item.value) { out.textContent = t('impactNothing'); return; }
    const q = query();
    const r = await get(`/api/v1/impact?${q}`);
    result.replaceChildren(impactView(r, catalogue, tags, q));
  });
  go.addEventListener('click', run);
  if (rule) {
    kind.value = 'rule';
    fillItems();
    item.value = String(rule.id);
    followRule();
    run();
  }
  return [h('section.panel', { id: 'impact-form' }, h('h2', { text: t('impact') }),
    h('div.form-grid', {}, field(t('impactKind'), kind), field(t('impactItem'), item)),
    h('div.form-grid', {}, field(t('metric'), mp.metric), mp.tagLabel), out, go), result];
}

function impactView(r, catalogue, tags, q) {
  const e = r.estimate;
  const what = metricWithTag(r.metric, r.tag, catalogue, tags[r.tag]);
  const who = t(`who_${r.item.kind}`, { name: r.item.name });
  const csvOut = h('p.form-error', { role: 'alert' });
  const csv = h('button', { type: 'button', id: 'impact-csv', text: `⬇ ${t('downloadCsv')}` });
  csv.addEventListener('click', () => busy(csv, csvOut, () => downloadCsv(`/api/v1/impact?${q}&format=csv`, `impact-${r.item.kind}-${r.item.id}-${r.metric}${r.tag ? '-' + r.tag : ''}.csv`)));
  const panel = h('section.panel', { id: 'impact-panel', dataset: { enough: String(Boolean(e.enough)), kind: r.item.kind, item: String(r.item.id) } },
    h('h2', { text: `${r.item.name} · ${what}` }));
  if (!e.enough) {
    panel.append(h('p.not-enough', { text: t('notEnough', { n: e.min_n, t: e.n_treated, c: e.n_control }) }));
  } else {
    const higher = catalogue[r.metric]?.direction !== 'lower';
    const good = higher ? e.ci_low > 0 : e.ci_high < 0;
    const bad = higher ? e.ci_high < 0 : e.ci_low > 0;
    const key = good ? 'imp_better' : bad ? 'imp_worse' : 'imp_unclear';
    panel.dataset.verdict = good ? 'better' : bad ? 'worse' : 'unclear';
    panel.dataset.ciLow = String(e.ci_low);
    panel.dataset.ciHigh = String(e.ci_high);
    panel.append(
      h('p.impact-sentence', { text: t(key, { who, what, t: num(e.treated_change, true), c: num(e.control_change, true), m: e.n_control, d: num(e.difference, true), lo: num(e.ci_low), hi: num(e.ci_high), n: e.n_treated }) }),
      intervalChart([
        { label: t('completers'), value: e.treated_change, text: num(e.treated_change, true) },
        { label: t('comparisons'), value: e.control_change, text: num(e.control_change, true) },
        { label: t('difference'), value: e.difference, low: e.ci_low, high: e.ci_high, accent: true, text: `${num(e.difference, true)} (${num(e.ci_low)}…${num(e.ci_high)})` },
      ], t('impactChart')),
      h('ul.list.impact-numbers', {},
        h('li.row', {}, h('span.grow', { text: t('completers') }), h('small', { text: `${t('groupN', { n: e.n_treated })} · ${t('meanChange')} ${num(e.treated_change, true)}` })),
        h('li.row', {}, h('span.grow', { text: t('comparisons') }), h('small', { text: `${t('groupN', { n: e.n_control })} · ${t('meanChange')} ${num(e.control_change, true)}` })),
        h('li.row', {}, h('span.grow', { text: t('difference') }), h('small', { text: `${num(e.difference, true)} · ${t('ci95', { lo: num(e.ci_low), hi: num(e.ci_high) })}` }))));
  }
  panel.append(h('div.btn-row', {}, csv), csvOut);
  return panel;
}

