// Boot and navigation: login screen, the change-password screen (a password
// someone else set is changed before anything else), tab bar, hash routes
// (#feed, #upload, #me, #trainer, #admin, #inbox, #clip/<id>), the inbox's unread
// badge on Me. The token stays in localStorage, never in the URL. An ended
// session asks to log in again over whatever is open, which stays as it was;
// a logout in another tab is noticed here too.
import { api, session, saveSession, clearSession, setUnauthorizedHandler, setPasswordChangeHandler, SESSION_KEY } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { h, errText, toast, skeleton, sheet, closeAllLayers } from './ui.js';

const screens = {
  feed: () => import('./feed.js'),
  upload: () => import('./upload.js'),
  me: () => import('./me.js'),
  trainer: () => import('./trainer.js'),
  search: () => import('./search.js'),
  inbox: () => import('./inbox.js'),
  clip: () => import('./clip.js'),
  admin: () => import('./admin.js'),
};
// screens reached from Me, shown with its tab lit
const UNDER_ME = new Set(['inbox', 'clip']);
const root = document.getElementById('screen');
const tabs = document.getElementById('tabs');
let current = null; // {name, unmount}
let generation = 0;

const isTrainer = () => ['trainer', 'admin'].includes(session()?.user?.role);
const isAdmin = () => session()?.user?.role === 'admin';

function renderTabs(active) {
  const items = [['feed', 'tabFeed', '▶'], ['upload', 'tabUpload', '＋'], ['me', 'tabMe', '☺']];
  if (isTrainer()) items.push(['trainer', 'tabTrainer', '★']);
  if (isAdmin()) items.push(['admin', 'tabAdmin', '⚙']);
  tabs.replaceChildren(...items.map(([name, key, icon]) =>
    h('a.tab' + (name === active ? '.active' : ''), { href: `#${name}`, 'data-tab': name, 'aria-current': name === active ? 'page' : null },
      h('span.tab-icon', { 'aria-hidden': 'true', text: icon }), h('span', { text: t(key) }),
      name === 'me' && h('span.tab-badge', { hidden: true }))));
  tabs.hidden = false;
  showUnread();
}

let unread = 0;
function showUnread() {
  const badge = tabs.querySelector('.tab-badge');
  if (!badge) return;
  badge.hidden = unread < 1;
  badge.textContent = unread > 99 ? '99+' : String(unread);
  badge.setAttribute('aria-label', t('ib_unread', { n: unread }));
}

/** The inbox's unread count, for the badge on Me. */
export function setUnread(n) {
  unread = n;
  showUnread();
  document.dispatchEvent(new Event('unreadchange'));
}
export const unreadCount = () => unread;

async function refreshUnread() {
  try { setUnread((await api('GET', '/api/v1/me/inbox?limit=1')).unread); } catch { /* the badge waits for the next screen */ }
}

let shownUser = null; // whose screens this tab shows
async function route() {
  if (!session()) {
    // the login screen already up (after a logout) keeps what it says
    if (document.body.dataset.screen !== 'login') showLogin();
    return;
  }
  shownUser = session().user?.id;
  if (session().user?.must_change_password) return showPasswordChange({ required: true });
  let [name, arg] = location.hash.slice(1).split('/');
  if (!screens[name] || (name === 'trainer' && !isTrainer()) || (name === 'admin' && !isAdmin())) name = 'feed';
  current?.unmount?.();
  current = null;
  document.body.dataset.screen = name;
  renderTabs(UNDER_ME.has(name) ? 'me' : name);
  refreshUnread();
  root.replaceChildren(skeleton(name === 'feed' ? 'feed' : 'panel'));
  const gen = ++generation; // a later tap wins over a screen still loading
  try {
    const mod = await screens[name]();
    if (gen !== generation) return;
    const el = h('div.view', { id: `view-${name}` });
    root.replaceChildren(el);
    const unmount = await mod.mount(el, { rerender: route, arg });
    if (gen !== generation) { unmount?.(); return; }
    current = { name, unmount };
    el.dataset.ready = '1';
  } catch (err) {
    if (gen !== generation) return;
    root.replaceChildren(h('div.panel.error-panel', {}, h('p', { text: errText(err) }),
      h('button.primary', { onclick: route, text: t('retry') })));
  }
}

function showLogin(message) {
  generation++;
  current?.unmount?.();
  current = null;
  tabs.hidden = true;
  document.body.dataset.screen = 'login';
  const err = h('p.form-error', { role: 'alert', text: message || '' });
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button.primary.big', { type: 'submit', text: t('login') });
  const form = h('form.login', { id: 'login-form' },
    h('div.brand', {}, h('img', { src: new URL('./icon.svg', import.meta.url).href, alt: '', width: 56, height: 56 }), h('h1', { text: t('app') })),
    h('label', {}, h('span', { text: t('username') }), user),
    h('label', {}, h('span', { text: t('password') }), pass),
    err, btn,
    h('button.link', { type: 'button', onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); showLogin(); }, text: t('lang') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    screens.feed().catch(() => {}); // the feed's code arrives while the password is checked
    btn.disabled = true;
    btn.textContent = t('loggingIn');
    err.textContent = '';
    try {
      const r = await api('POST', '/api/v1/auth/login', { json: { username: user.value.trim(), password: pass.value } });
      saveSession({ token: r.token, user: r.user });
      if (location.hash !== '#feed') location.hash = '#feed'; else route();
    } catch (ex) {
      err.textContent = errText(ex);
      btn.disabled = false;
      btn.textContent = t('login');
    }
  });
  root.replaceChildren(form);
  user.focus();
}

/** The change-password screen: the current password, the new one twice.
 *  `required`: the server asks for it (a password someone else set); the
 *  only way out is logging out. */
export function showPasswordChange({ required = false } = {}) {
  generation++;
  current?.unmount?.();
  current = null;
  tabs.hidden = required;
  if (required) tabs.replaceChildren();
  document.body.dataset.screen = 'password';
  const err = h('p.form-error', { role: 'alert' });
  const field = (name, key, autocomplete) => {
    const input = h('input', { name, type: 'password', autocomplete, required: true });
    return [input, h('label', {}, h('span', { text: t(key) }), input)];
  };
  const [old, oldLabel] = field('old_password', 'oldPassword', 'current-password');
  const [fresh, freshLabel] = field('new_password', 'newPassword', 'new-password');
  const [again, againLabel] = field('new_password_again', 'newPasswordAgain', 'new-password');
  const btn = h('button.primary.big', { type: 'submit', text: t('changePassword') });
  const form = h('form.login', { id: 'password-form' },
    h('h1', { text: t('changePassword') }),
    h('p', { text: t(required ? 'pwMustChange' : 'pwHint') }),
    // for password managers: whose password this is
    h('input', { name: 'username', autocomplete: 'username', value: session()?.user?.username || '', hidden: true }),
    oldLabel, freshLabel, againLabel, err, btn,
    required ? h('button.link', { type: 'button', onclick: logout, text: t('logout') })
      : h('button.link', { type: 'button', onclick: route, text: t('cancel') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (fresh.value !== again.value) { err.textContent = t('pwMismatch'); return; }
    btn.disabled = true;
    err.textContent = '';
    try {
      await api('POST', '/api/v1/me/password', { json: { old_password: old.value, new_password: fresh.value } });
      const s = session();
      saveSession({ ...s, user: { ...s.user, must_change_password: false } });
      toast(t('pwChanged'));
      route();
    } catch (ex) {
      err.textContent = errText(ex);
      btn.disabled = false;
    }
  });
  root.replaceChildren(form);
  old.focus();
}

export async function logout() {
  try { await api('POST', '/api/v1/auth/logout'); } catch { /* the session ends here either way */ }
  clearSession();
  closeAllLayers();
  navigator.serviceWorker?.controller?.postMessage('logout'); // nothing of this person stays cached
  location.hash = '';
  showLogin();
}

/** The login dialog over whatever is open (sheets included), for the same
 * user; resolves true once logged in again, false when the user chose to
 * log out instead or the session ended in another tab. */
function askLoginAgain() {
  return new Promise((resolve) => {
    const who = session()?.user;
    let done = false;
    const finish = (ok) => { if (!done) { done = true; resolve(ok); } };
    const s = sheet(t('loginAgainTitle'), 'login-sheet', { dismissible: false, onClose: () => finish(false) });
    // logged in again in another tab: this one needs no password
    const dead = session()?.token;
    reloginElsewhere = () => { if (session()?.token !== dead) { finish(true); s.close(); } };
    const err = h('p.form-error', { role: 'alert' });
    const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const btn = h('button.primary.big', { type: 'submit', text: t('login') });
    const form = h('form.login-again', {},
      h('p', { text: t('loginAgainNote') }),
      h('label', {}, h('span', { text: t('username') }), h('input', { name: 'username', autocomplete: 'username', value: who?.username || '', readonly: true })),
      h('label', {}, h('span', { text: t('password') }), pass),
      err, btn,
      h('button.link', { type: 'button', onclick: () => { finish(false); logout(); }, text: t('switchUser') }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      btn.disabled = true;
      err.textContent = '';
      try {
        const r = await api('POST', '/api/v1/auth/login', { json: { username: who?.username || '', password: pass.value } });
        saveSession({ token: r.token, user: r.user });
        finish(true);
        s.close();
      } catch (ex) {
        err.textContent = errText(ex);
        btn.disabled = false;
      }
    });
    s.body.append(form);
    pass.focus();
  });
}

let relogin = null; // the one dialog every request that met a 401 waits for
let reloginElsewhere = null;
setUnauthorizedHandler(() => {
  if (!session() || document.body.dataset.screen === 'login') return Promise.resolve(false);
  relogin ??= askLoginAgain().finally(() => { relogin = reloginElsewhere = null; });
  return relogin;
});
// another tab logged out (or in as someone else): this one follows, and says so once
window.addEventListener('storage', (e) => {
  if (e.key !== null && e.key !== SESSION_KEY) return;
  const now = session();
  if (!now) {
    if (document.body.dataset.screen === 'login') return;
    closeAllLayers();
    location.hash = '';
    showLogin(t('loggedOutElsewhere'));
  } else if (shownUser !== now.user?.id) {
    closeAllLayers();
    route();
  } else {
    reloginElsewhere?.(); // the same person logged in again there
  }
});
setPasswordChangeHandler(() => {
  const s = session();
  if (!s || document.body.dataset.screen === 'password') return;
  saveSession({ ...s, user: { ...s.user, must_change_password: true } });
  showPasswordChange({ required: true });
});
window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (e) => toast(errText(e.reason), 'error'));
setLang(lang());
route();
// the app shell opens offline (web/sw.js); where workers are missing the app simply needs the network
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
window.addEventListener('online', () => toast(t('backOnline')));
window.addEventListener('offline', () => toast(t('offline'), 'error'));
