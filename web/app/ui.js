// Small DOM helpers: element builder, toast, bottom sheets, error text.
import { t } from './i18n.js';
import { PROBLEMS } from './problems.js';

/** h('button.primary', {onclick}, 'text', child…) */
export function h(spec, attrs = {}, ...kids) {
  const [tag, ...cls] = spec.split('.');
  const e = document.createElement(tag || 'div');
  if (cls.length) e.className = cls.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'text') e.textContent = v;
    else if (k in e && k !== 'list' && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false) e.append(k instanceof Node ? k : String(k));
  return e;
}

// labels for the `field` of an invalid-field problem (other fields show by their own name)
const FIELDS = {
  username: 'username', password: 'password', old_password: 'oldPassword', new_password: 'newPassword', body: 'field_comment', gift: 'field_gift', item_id: 'field_item',
  quantity: 'field_quantity', decision: 'field_decision', reason: 'field_reason', video_id: 'field_clip',
  user_id: 'field_creator', days: 'days', note: 'note', team_ids: 'teams', due_date: 'dueDate',
  answers: 'field_answers', questions: 'field_questions', 'Upload-Metadata': 'field_uploadMeta',
  tags: 'field_tags', title: 'title', description: 'field_description', filename: 'field_filename',
  name: 'fieldName', steps: 'field_steps', user_ids: 'field_person', metric: 'metric', tag: 'tag', threshold: 'threshold',
  window_days: 'windowDays', min_days: 'minDays', path_id: 'paths', due_days: 'dueDays', recover_days: 'recoverDays',
  display_name: 'ad_displayName', role: 'ad_role', team_id: 'ad_team', position: 'ad_position', price: 'ad_price', stock: 'ad_stock',
  label: 'ad_labelEn', labels: 'ad_labelEn', gifts: 'ad_gifts', q: 'ad_searchUsers', checkin_bonus: 'ad_checkinBonus',
  learn_points: 'ad_learnPoints', approve_points: 'ad_approvePoints', free_tip_points: 'ad_freeTipPoints', tip_pair_cap: 'ad_tipPairCap',
  hire_date: 'ad_hireDate', employee_id: 'ad_employeeId', interests: 'ad_interests', weak_skills: 'ad_weakSkills',
};

/** Plain words, in the UI's language, for an error from the API or the network;
 * `words` maps problem types to i18n keys that say it better where the caller
 * knows what was sent (an upload's too-large is about the file). */
export function errText(err, words = {}) {
  if (!err) return '';
  // the network, not the server: a failed fetch or a lazily loaded screen that did not arrive
  if (err.status === 0 || err.message === 'network' || err instanceof TypeError) return navigator.onLine === false ? t('offline') : t('network');
  if (err.type === 'invalid-field') {
    return err.field ? t('err_invalidField', { field: FIELDS[err.field] ? t(FIELDS[err.field]) : err.field }) : t('err_invalid');
  }
  // every documented problem type has words (web/app/problems.js); an unknown one shows the server's detail
  const key = words[err.type] || PROBLEMS[err.type];
  if (key) return t(key);
  return err.message || String(err);
}

// A failed clip's error_code as i18n keys; another code shows the server's (English) error.
const VIDEO_ERRORS = {
  io: 'vErr_io', unsupported: 'vErr_unsupported', truncated: 'vErr_truncated', 'not-a-video': 'vErr_notVideo',
  'no-video': 'vErr_noVideo', 'audio-only': 'vErr_audioOnly', playlist: 'vErr_playlist', 'too-large': 'vErr_tooLarge',
  'time-limit': 'vErr_timeLimit', cancelled: 'vErr_cancelled', internal: 'vErr_internal',
};

/** Why clip `v` failed, in the UI's language ('' when it has no error). */
export function videoErrorText(v) {
  return VIDEO_ERRORS[v.error_code] ? t(VIDEO_ERRORS[v.error_code]) : v.error || '';
}

let toastTimer;
export function toast(msg, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = msg;
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 6000 : 2500);
}
export const showError = (err) => toast(errText(err), 'error');

/** Grey blocks where a screen is about to be, never a blank screen; says
 * "loading" to screen readers. */
export function skeleton(kind = 'panel') {
  return h(`div.skeleton.skeleton-${kind}`, { role: 'status', 'aria-label': t('loading') },
    h('div.bone.wide'), h('div.bone'), h('div.bone.short'));
}

// Modal layers (sheets, the login dialog over them): the top one holds the
// focus and the rest of the page is inert until it closes; closing the top
// one gives the focus back to what had it before.
const layers = [];
function syncInert() {
  const top = layers.at(-1);
  for (const el of document.body.children) if (el.id !== 'toast' && el.tagName !== 'SCRIPT') el.inert = !!top && el !== top;
}

// The Back gesture closes the top sheet: each dismissible sheet adds a
// history entry, which a close by other means takes back (history.back()
// lands later: navigate or scroll after historySettled()). The feed scrolls
// inside itself, so the browser restores no scroll position.
let ownBacks = 0;
let settledWaiters = [];
history.scrollRestoration = 'manual';
window.addEventListener('popstate', () => {
  if (ownBacks > 0) {
    if (--ownBacks === 0) for (const fn of settledWaiters.splice(0)) fn();
    return;
  }
  layers.at(-1)?.dismiss?.({ fromHistory: true });
});

/** Resolves once the history entries of closed sheets are gone: a
 * navigation right after closing a sheet waits for it, or Back would undo it. */
export const historySettled = () => (ownBacks ? new Promise((resolve) => settledWaiters.push(resolve)) : Promise.resolve());

/** Opens a bottom sheet, an aria-modal dialog that takes the focus; Escape,
 * Back, its close button and a tap outside close it (all but the last need
 * `dismissible`, true unless said); `onClose` is called however it closes.
 * Returns {el, body, close}. */
export function sheet(title, cls = '', { dismissible = true, onClose } = {}) {
  const body = h('div.sheet-body');
  const closeBtn = dismissible && h('button.icon', { 'aria-label': t('close'), text: '✕' });
  const panel = h(`section.sheet${cls ? '.' + cls : ''}`, { role: 'dialog', 'aria-modal': 'true', 'aria-label': title, tabindex: '-1' },
    h('header.sheet-head', {}, h('h2', { text: title }), closeBtn), body);
  const scrim = h('div.scrim', {}, panel);
  const before = document.activeElement;
  const close = ({ fromHistory = false } = {}) => {
    const i = layers.indexOf(scrim);
    if (i < 0) return;
    const wasTop = i === layers.length - 1;
    layers.splice(i, 1);
    scrim.remove();
    syncInert();
    if (dismissible && !fromHistory && history.state?.sheet) { ownBacks++; history.back(); }
    if (wasTop && before?.isConnected && !before.inert) before.focus({ preventScroll: true });
    scrim.closed();
    document.dispatchEvent(new Event('sheetchange'));
  };
  scrim.closed = () => {
    document.removeEventListener('keydown', onKey);
    onClose?.();
  };
  const onKey = (e) => { if (e.key === 'Escape' && layers.at(-1) === scrim) { e.preventDefault(); close(); } };
  if (dismissible) {
    scrim.dismiss = close;
    closeBtn.addEventListener('click', () => close());
    scrim.addEventListener('click', (e) => { if (e.target === scrim) close(); });
    document.addEventListener('keydown', onKey);
    history.pushState({ ...history.state, sheet: true }, '');
  }
  document.body.append(scrim);
  layers.push(scrim);
  syncInert();
  panel.focus({ preventScroll: true });
  document.dispatchEvent(new Event('sheetchange'));
  return { el: panel, body, close: () => close() };
}

/** Closes every sheet and dialog at once (the session ended: nothing of it stays on screen). */
export function closeAllLayers() {
  for (const layer of [...layers].reverse()) {
    layers.splice(layers.indexOf(layer), 1);
    layer.remove();
    layer.closed?.();
  }
  syncInert();
  document.dispatchEvent(new Event('sheetchange'));
}

/** Whether a sheet is open (each open and close fires `sheetchange` on document). */
export const sheetOpen = () => !!document.querySelector('.scrim');

/** Resolves once no sheet is open. */
export function noSheetOpen() {
  return new Promise((resolve) => {
    const check = () => {
      if (sheetOpen()) return;
      document.removeEventListener('sheetchange', check);
      resolve();
    };
    document.addEventListener('sheetchange', check);
    check();
  });
}

/** Asks a yes/no question in a sheet; resolves true on `ok`, false on
 * cancel or close. */
export function confirmSheet(title, text, ok) {
  return new Promise((resolve) => {
    const s = sheet(title, 'confirm-sheet');
    let answered = false;
    const answer = (yes) => { if (!answered) { answered = true; s.close(); resolve(yes); } };
    const observer = new MutationObserver(() => { if (!s.el.isConnected) { observer.disconnect(); answer(false); } });
    observer.observe(document.body, { childList: true });
    s.body.append(h('p', { text }),
      h('div.btn-row', {}, h('button', { type: 'button', onclick: () => answer(false), text: t('cancel') }),
        h('button.primary', { type: 'button', onclick: () => answer(true), text: ok })));
    s.body.querySelector('button.primary').focus();
  });
}

/** A published clip's numbers: "3 views · 1 like · 1 comment · 10 tip points". */
export function clipStats(c) {
  return [['nViews', c.views], ['nLikes', c.likes], ['nComments', c.comments], ['nTips', c.tips]]
    .map(([key, n]) => t(key, { n: n ?? 0, c: fmtCount(n) })).join(' · ');
}

export const fmtCount = (n) => (n >= 10000 ? `${(n / 10000).toFixed(1)}w` : String(n ?? 0));
export const fmtDate = (sec) => new Date(sec * 1000).toLocaleString(undefined, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
export const fmtDur = (s) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;
