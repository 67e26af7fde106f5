// Search (#search): published clips by title, tags, description and
// captions; a hit found in the captions plays from its cue.
import { get } from './api.js';
import { t } from './i18n.js';
import { h, showError, fmtDur } from './ui.js';
import { Player } from './player.js';

export async function mount(el) {
  const input = h('input', { type: 'search', name: 'q', placeholder: t('searchHint'), 'aria-label': t('search'), maxlength: '100', required: true, enterkeyhint: 'search' });
  const form = h('form.search-form', { role: 'search' }, input, h('button.primary', { type: 'submit', text: t('search') }));
  const results = h('ul.list', { id: 'search-results' });
  const stage = h('div.search-stage');
  el.append(h('section.panel', {}, h('h1.sr-only', { text: t('search') }), form, stage, results));
  let player = null;

  function play(item) {
    player?.destroy();
    const video = h('video', { poster: item.urls.poster, playsinline: true, controls: true, muted: true, width: item.width, height: item.height });
    video.muted = true;
    stage.replaceChildren(h('h2', { text: item.title }), video);
    player = new Player(video, item, { startAt: item.cue_start || 0 });
    player.play().catch(() => {});
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    try {
      const r = await get(`/api/v1/search?${new URLSearchParams({ q, limit: '20' })}`);
      results.replaceChildren(...(r.items.length ? r.items.map((item) => h('li.row.search-hit', { dataset: { id: String(item.id) } },
        h('img', { src: item.urls.thumbnail, alt: '', loading: 'lazy', width: 54, height: 96 }),
        h('div.grow', {}, h('strong', { text: item.title }),
          item.cue_start !== undefined && h('small.cue-at', { text: t('atCue', { t: fmtDur(item.cue_start) }) })),
        h('button.primary', { type: 'button', text: '▶', 'aria-label': item.title, onclick: () => play(item) })))
        : [h('li.muted', { text: t('noResults') })]));
    } catch (err) {
      showError(err);
    }
  });
  input.focus();
  return () => player?.destroy();
}
