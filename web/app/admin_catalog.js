// Admin: teams and positions (list, create, rename, their English and
// Chinese labels; an unused position can go) and skill tags (list, create,
// edit the labels and the onboarding flag).
import { get, post, del } from './api.js';
import { t } from './i18n.js';
import { h, toast } from './ui.js';
import { field, textInput, actionButton, errorLine, patchRow, labelInputs, labelFields, labelsBody } from './admin_form.js';
import { labelOf, forgetNamedLabels } from './labels.js';

/** A team or position row: its name and labels in both languages. */
const namedInputs = (x = {}) => ({ name: textInput({ name: 'name', value: x.name || '', maxlength: 64 }), ...labelInputs(x) });
const namedBody = (f) => ({ name: f.name.value.trim(), labels: labelsBody(f) });

const TEAM_ROW = { spec: 'li.team-row', dataset: (x) => ({ id: String(x.id) }), legend: (x) => labelOf(x.labels, x.name),
  inputs: (x) => ({ ...namedInputs(x), members: x.members }), body: namedBody, url: (x) => `/api/v1/teams/${x.id}`,
  fields: (f) => [field('ad_teamName', f.name), ...labelFields(f), h('div.muted', { text: t('ad_members', { n: f.members }) })],
  saved: forgetNamedLabels };

export async function teams() {
  const { items } = await get('/api/v1/teams');
  const list = h('ul.list', { id: 'team-list' });
  list.append(...items.map((x) => patchRow(x, TEAM_ROW)));
  const out = errorLine();
  const f = namedInputs();
  const create = actionButton('button.primary.big', t('ad_createTeam'), out, async () => {
    const x = await post('/api/v1/teams', namedBody(f));
    toast(t('ad_saved'));
    forgetNamedLabels();
    f.name.value = f.en.value = f.zh.value = '';
    list.append(patchRow(x, TEAM_ROW));
  });
  return [
    h('section.panel', {}, h('h2', { text: t('ad_teams') }), list),
    h('section.panel', { id: 'team-create' }, h('h2', { text: t('ad_createTeam') }), field('ad_teamName', f.name), labelFields(f), out, create),
  ];
}

/** A position's row, with a Delete button (refused while anyone holds it). */
function positionRow(x) {
  const row = patchRow(x, POSITION_ROW);
  const out = errorLine();
  row.querySelector('fieldset').append(out, actionButton('button.bad', t('ad_delete'), out, async () => {
    await del(`/api/v1/positions/${x.id}`);
    forgetNamedLabels();
    toast(t('ad_deleted'));
    row.remove();
  }));
  return row;
}
const POSITION_ROW = { spec: 'li.position-row', dataset: (x) => ({ id: String(x.id), name: x.name }), legend: (x) => labelOf(x.labels, x.name),
  inputs: namedInputs, body: namedBody, url: (x) => `/api/v1/positions/${x.id}`,
  fields: (f) => [field('ad_positionName', f.name), ...labelFields(f)], saved: forgetNamedLabels, row: positionRow };

export async function positions() {
  const { items } = await get('/api/v1/positions');
  const list = h('ul.list', { id: 'position-list' });
  list.append(...items.map(positionRow));
  const out = errorLine();
  const f = namedInputs();
  const create = actionButton('button.primary.big', t('ad_createPosition'), out, async () => {
    const x = await post('/api/v1/positions', namedBody(f));
    toast(t('ad_saved'));
    forgetNamedLabels();
    f.name.value = f.en.value = f.zh.value = '';
    list.append(positionRow(x));
  });
  return [
    h('section.panel', {}, h('h2', { text: t('ad_positions') }), list),
    h('section.panel', { id: 'position-create' }, h('h2', { text: t('ad_createPosition') }), field('ad_positionName', f.name), labelFields(f), out, create),
  ];
}

/** The inputs of a tag's fields, filled from `x` (a new tag when absent). */
function tagInputs(x = {}) {
  return { ...labelInputs(x), onboarding: h('input', { type: 'checkbox', name: 'onboarding', checked: !!x.onboarding }) };
}
const tagFields = (f) => [...labelFields(f), h('label.check', {}, f.onboarding, h('span', { text: t('ad_onboarding') }))];
const tagBody = (f) => ({ labels: { en: f.en.value.trim(), zh: f.zh.value.trim() || null }, onboarding: f.onboarding.checked });

const TAG_ROW = { spec: 'li.tag-row', dataset: (x) => ({ name: x.name }), legend: (x) => `#${x.name}`,
  inputs: tagInputs, fields: tagFields, body: tagBody, url: (x) => `/api/v1/tags/${x.id}` };

export async function tags() {
  const { items } = await get('/api/v1/tags');
  const list = h('ul.list', { id: 'tag-list' });
  list.append(...items.map((x) => patchRow(x, TAG_ROW)));
  const out = errorLine();
  const name = textInput({ name: 'name', maxlength: 32, autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9-]+' });
  const f = tagInputs();
  const create = actionButton('button.primary.big', t('ad_createTag'), out, async () => {
    const x = await post('/api/v1/tags', { name: name.value.trim(), ...tagBody(f) });
    toast(t('ad_saved'));
    name.value = f.en.value = f.zh.value = '';
    f.onboarding.checked = false;
    list.append(patchRow(x, TAG_ROW));
  });
  return [
    h('section.panel', { id: 'tag-create' }, h('h2', { text: t('ad_createTag') }),
      field('ad_tagName', name), h('p.muted', { text: t('ad_tagNameHint') }), tagFields(f), out, create),
    h('section.panel', {}, h('h2', { text: t('ad_tags') }), list),
  ];
}
