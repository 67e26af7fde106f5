// Admin: teams (list, create, rename) and skill tags (list, create, edit the
// English and Chinese labels and the onboarding flag).
import { get, post, patch } from './api.js';
import { t } from './i18n.js';
import { h, toast } from './ui.js';
import { field, textInput, actionButton, errorLine, patchRow } from './admin_form.js';

export async function teams() {
  const { items } = await get('/api/v1/teams');
  const list = h('ul.list', { id: 'team-list' });
  function teamRow(x) {
    const out = errorLine();
    const name = textInput({ name: 'name', value: x.name, maxlength: 64 });
    const save = actionButton('button', t('ad_rename'), out, async () => {
      const fresh = await patch(`/api/v1/teams/${x.id}`, { name: name.value.trim() });
      toast(t('ad_saved'));
      row.replaceWith(teamRow(fresh));
    });
    const row = h('li.row.team-row', { dataset: { id: String(x.id) } },
      h('div.grow', {}, field('ad_teamName', name), h('div.muted', { text: t('ad_members', { n: x.members }) }), out), save);
    return row;
  }
  list.append(...items.map(teamRow));
  const out = errorLine();
  const name = textInput({ name: 'name', maxlength: 64, required: true });
  const create = actionButton('button.primary.big', t('ad_createTeam'), out, async () => {
    const x = await post('/api/v1/teams', { name: name.value.trim() });
    toast(t('ad_saved'));
    name.value = '';
    list.append(teamRow(x));
  });
  return [
    h('section.panel', {}, h('h2', { text: t('ad_teams') }), list),
    h('section.panel', { id: 'team-create' }, h('h2', { text: t('ad_createTeam') }), field('ad_teamName', name), out, create),
  ];
}

/** The inputs of a tag's fields, filled from `x` (a new tag when absent). */
function tagInputs(x = {}) {
  return {
    en: textInput({ name: 'label_en', value: x.labels?.en || '', maxlength: 64 }),
    zh: textInput({ name: 'label_zh', value: x.labels?.zh || '', maxlength: 64, lang: 'zh-CN' }),
    onboarding: h('input', { type: 'checkbox', name: 'onboarding', checked: !!x.onboarding }),
  };
}
const tagFields = (f) => [field('ad_labelEn', f.en), field('ad_labelZh', f.zh),
  h('label.check', {}, f.onboarding, h('span', { text: t('ad_onboarding') }))];
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
