// Admin: people. Search and page through users, create one, import a CSV
// (each bad line with its reason), deactivate or reactivate, reset a password
// (a temporary one the person must change at their next login), and edit
// hire details and skills (admin_user_profile.js).
import { get, post, patch, api } from './api.js';
import { t } from './i18n.js';
import { h, toast, confirmSheet, sheet, errText } from './ui.js';
import { field, textInput, actionButton, errorLine } from './admin_form.js';
import { profileInputs, profileButton } from './admin_user_profile.js';
import { PROBLEMS } from './problems.js';
import { labelOf, namedLabels, teamName, positionName } from './labels.js';

const PAGE = 20;
const ROLES = ['agent', 'trainer', 'admin'];

/** A temporary password: 16 letters and digits, readable aloud (no 0/O, 1/l). */
function temporaryPassword() {
  const abc = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => abc[x % abc.length]).join('');
}

const roleSelect = (value = 'agent') => h('select', { name: 'role' },
  ROLES.map((r) => h('option', { value: r, text: t(`role_${r}`), selected: r === value })));
const teamSelect = (teams, value = null) => h('select', { name: 'team_id' },
  h('option', { value: '', text: t('ad_noTeam') }),
  teams.map((x) => h('option', { value: String(x.id), text: labelOf(x.labels, x.name), selected: x.id === value })));
/** Suggestions for the position field: the positions there are, each shown in the UI's language. */
const positionOptions = (positions) => h('datalist', { id: 'position-options' },
  positions.map((x) => h('option', { value: x.name, label: labelOf(x.labels, x.name) })));

export async function users() {
  const [{ items: teamList }, { items: tagList }, { items: positionList }, names] = await Promise.all([
    get('/api/v1/teams'), get('/api/v1/tags'), get('/api/v1/positions'), namedLabels()]);
  const list = h('ul.list', { id: 'user-list' });
  const more = h('button', { type: 'button', id: 'users-more', text: t('more'), hidden: true });
  const listOut = errorLine();
  const search = h('input', { type: 'search', name: 'q', id: 'user-search', maxlength: 64, autocomplete: 'off', enterkeyhint: 'search' });
  let after = 0, query = '', gen = 0;

  async function load(reset) {
    const mine = reset ? ++gen : gen;
    if (reset) after = 0;
    listOut.textContent = '';
    const page = await get(`/api/v1/users?limit=${PAGE}&after=${after}${query ? `&q=${encodeURIComponent(query)}` : ''}`);
    if (mine !== gen) return; // a newer search answered first
    if (reset) list.replaceChildren();
    list.append(...page.items.map(userRow));
    if (reset && !page.items.length) list.append(h('li.muted', { text: t('noResults') }));
    after = page.next_after ?? 0;
    more.hidden = page.next_after === null;
  }
  const reload = () => load(true).catch((err) => { listOut.textContent = errText(err); });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = search.value.trim(); reload(); }, 250);
  });
  more.addEventListener('click', () => load(false).catch((err) => { listOut.textContent = errText(err); }));

  function userRow(u) {
    const out = errorLine();
    const status = h(`span.status-pill.${u.active ? 'published' : 'rejected'}`, { text: t(u.active ? 'ad_active' : 'ad_inactive') });
    const toggle = actionButton(u.active ? 'button.bad' : 'button', t(u.active ? 'ad_deactivate' : 'ad_reactivate'), out, async () => {
      if (u.active && !await confirmSheet(t('ad_deactivate'), t('ad_deactivateAsk', { name: u.display_name }), t('ad_deactivate'))) return;
      const fresh = await patch(`/api/v1/users/${u.id}`, { active: !u.active });
      toast(t(fresh.active ? 'ad_reactivated' : 'ad_deactivated', { name: fresh.display_name }));
      row.replaceWith(userRow(fresh));
    });
    const reset = h('button', { type: 'button', text: t('ad_resetPassword'), onclick: () => resetPassword(u) });
    const row = h('li.row.user-row', { dataset: { id: String(u.id), username: u.username } },
      h('div.grow', {}, h('strong', { text: u.display_name }),
        h('div.muted', { text: [u.username, t(`role_${u.role}`), teamName(names, u.team?.name), positionName(names, u.position)].filter(Boolean).join(' · ') }), out),
      h('div.row-actions', {}, status, profileButton(u, tagList), reset, toggle));
    return row;
  }

  // create one person
  const cOut = errorLine();
  const cNote = h('p.form-note', { role: 'status' });
  const cUser = textInput({ name: 'username', maxlength: 32, autocapitalize: 'none', spellcheck: 'false', required: true });
  const cName = textInput({ name: 'display_name', maxlength: 64, required: true });
  const cRole = roleSelect();
  const cTeam = teamSelect(teamList);
  const cPos = textInput({ name: 'position', maxlength: 64, list: 'position-options' });
  const cPass = textInput({ name: 'password', value: temporaryPassword(), maxlength: 1024 });
  const cProfile = profileInputs(tagList);
  const create = actionButton('button.primary.big', t('ad_createUser'), cOut, async () => {
    cNote.textContent = '';
    const u = await post('/api/v1/users', {
      username: cUser.value.trim(), display_name: cName.value.trim(), role: cRole.value, password: cPass.value,
      team_id: cTeam.value ? Number(cTeam.value) : null, position: cPos.value.trim(),
      ...cProfile.body(),
    });
    toast(t('ad_userCreated', { name: u.display_name }));
    cNote.textContent = t('ad_tellPassword', { name: u.username, password: cPass.value });
    cUser.value = cName.value = cPos.value = '';
    cProfile.reset();
    cPass.value = temporaryPassword();
    reload();
  });

  // import a CSV file
  const iOut = errorLine();
  const iFile = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const iResult = h('div', { id: 'import-result' });
  const importBtn = actionButton('button.primary.big', t('ad_import'), iOut, async () => {
    iResult.replaceChildren();
    const file = iFile.files[0];
    if (!file) { iOut.textContent = t('ad_pickCsv'); return; }
    try {
      const r = await api('POST', '/api/v1/users/import', { body: await file.text(), headers: { 'Content-Type': 'text/csv' } });
      toast(t('ad_imported', { n: r.created }));
      iResult.append(h('p', { text: t('ad_imported', { n: r.created }) }),
        h('ul.list', {}, r.users.map((x) => h('li.row', {}, h('span.grow', { text: x.username }),
          x.initial_password && h('code', { text: x.initial_password })))));
      iFile.value = '';
      reload();
    } catch (err) {
      if (!err.errors) throw err;
      iResult.append(h('p.form-error', { text: t('ad_importNothing') }), h('ul.list.import-errors', {},
        err.errors.map((e) => h('li', { text: t('ad_importRow', { line: e.line, field: fieldName(e.field), reason: rowReason(e) }) }))));
    }
  });

  await load(true);
  return [
    h('section.panel', { id: 'users-panel' }, h('h2', { text: t('ad_users') }),
      field('ad_searchUsers', search), listOut, list, more),
    h('section.panel', { id: 'user-create' }, h('h2', { text: t('ad_createUser') }),
      field('username', cUser), field('ad_displayName', cName), field('ad_role', cRole), field('ad_team', cTeam),
      field('ad_position', cPos), positionOptions(positionList), ...cProfile.el, field('ad_tempPassword', cPass), h('p.muted', { text: t('ad_tempPasswordHint') }), cOut, cNote, create),
    h('section.panel', { id: 'user-import' }, h('h2', { text: t('ad_importUsers') }),
      h('p.muted', { text: t('ad_importHint') }), field('ad_csvFile', iFile), iOut, importBtn, iResult),
  ];
}

// the columns of an import, by the labels the create form uses
const COLUMNS = { username: 'username', display_name: 'ad_displayName', role: 'ad_role', team: 'ad_team', position: 'ad_position', password: 'password',
  hire_date: 'ad_hireDate', employee_id: 'ad_employeeId', interests: 'ad_interests', weak_skills: 'ad_weakSkills' };
const fieldName = (f) => (COLUMNS[f] ? t(COLUMNS[f]) : f);
// why a row failed: in the UI's language when the server names a problem
// type with words of its own, else the server's text
const rowReason = (e) => (e.type === 'conflict' ? t('ad_importTaken')
  : e.type && e.type !== 'invalid-field' && PROBLEMS[e.type] ? t(PROBLEMS[e.type]) : e.detail);

/** Sets a temporary password for `u` in a sheet; shows it once set. */
function resetPassword(u) {
  const s = sheet(t('ad_resetPasswordFor', { name: u.display_name }), 'reset-sheet');
  const out = errorLine();
  const pass = textInput({ name: 'password', value: temporaryPassword(), maxlength: 1024 });
  const go = actionButton('button.primary.big', t('ad_resetPassword'), out, async () => {
    await patch(`/api/v1/users/${u.id}`, { password: pass.value, must_change_password: true });
    s.body.replaceChildren(h('p', { id: 'reset-done', text: t('ad_tellPassword', { name: u.username, password: pass.value }) }),
      h('button.primary.big', { type: 'button', onclick: s.close, text: t('close') }));
  });
  s.body.append(h('p.muted', { text: t('ad_tempPasswordHint') }), field('ad_tempPassword', pass), out, go);
  pass.focus();
}
