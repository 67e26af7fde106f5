// A clip picker for trainers: a search box over the published clips (the
// server's search for three characters or more; shorter words, as Chinese
// often has, narrow the newest clips) and a short list of radio choices,
// instead of one select holding every clip. The list is aria-busy from a
// keystroke until the answer for it is shown.
import { get } from './api.js';
import { t } from './i18n.js';
import { h } from './ui.js';

const SHOWN = 8;

/** A picker with id `id`; resolves with {el, selected, onChange}:
 *  `selected()` is {id, title, creatorId} of the chosen clip or null
 *  (creatorId null when the list did not say), `onChange(fn)` calls fn on
 *  each choice. */
export async function clipPicker(id) {
  const recent = (await get('/api/v1/analytics/videos?limit=50')).items
    .map((c) => ({ id: c.video_id, title: c.title, creator: c.creator, creatorId: null }));
  const search = h('input', { type: 'search', name: 'clip_q', maxlength: 100, autocomplete: 'off', enterkeyhint: 'search' });
  const list = h('div.clip-choices', { role: 'radiogroup', 'aria-label': t('pickClip') });
  const chosen = h('p.muted.clip-chosen', { 'aria-live': 'polite' });
  let current = null, shown = [], gen = 0, timer;
  const listeners = [];

  function render(items) {
    list.setAttribute('aria-busy', 'false');
    shown = items.slice(0, SHOWN);
    list.replaceChildren(...(shown.length ? shown.map((c) => {
      const radio = h('input', { type: 'radio', name: `${id}-clip`, value: String(c.id), checked: current?.id === c.id });
      radio.addEventListener('change', () => choose(c));
      return h('label.clip-choice', {}, radio, h('span', { text: `${c.title} — ${c.creator}` }));
    }) : [h('p.muted', { text: t('noResults') })]));
  }
  function choose(c) {
    current = c;
    chosen.textContent = t('clipChosen', { title: c.title });
    for (const fn of listeners) fn(c);
  }
  async function find() {
    const q = search.value.trim();
    const mine = ++gen;
    if ([...q].length < 3) {
      const words = q.toLowerCase();
      render(recent.filter((c) => !words || `${c.title} ${c.creator}`.toLowerCase().includes(words)));
      return;
    }
    try {
      const r = await get(`/api/v1/search?${new URLSearchParams({ q, limit: String(SHOWN) })}`);
      if (mine !== gen) return;
      render(r.items.map((x) => ({ id: x.id, title: x.title, creator: x.creator.display_name, creatorId: x.creator.id })));
    } catch {
      if (mine === gen) render(recent.filter((c) => c.title.includes(q)));
    }
  }
  search.addEventListener('input', () => {
    list.setAttribute('aria-busy', 'true');
    clearTimeout(timer);
    timer = setTimeout(find, 250);
  });
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') e.preventDefault(); });
  render(recent);
  const el = h('fieldset.clip-picker', { id }, h('legend', { text: t('pickClip') }),
    h('label', {}, h('span', { text: t('searchClips') }), search), list, chosen);
  return { el, selected: () => current, onChange: (fn) => listeners.push(fn) };
}
