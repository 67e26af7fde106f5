// A screen made of pages behind a row of sub-tabs (the trainer's and the
// admin's): the row scrolls sideways on a phone with faded edges saying more
// is there, a page that fails to load offers a retry.
import { t } from './i18n.js';
import { h, errText } from './ui.js';

/** Builds the sub-tabs into `el` for `pages` ({name: async (opts) => node(s)})
 *  labelled by the i18n keys `labels` ({name: key}), the row named `ariaLabel`,
 *  the pages shown in an element with id `bodyId`.
 *  Resolves with {show, unmount} once the first page shows; `show(name, opts)`
 *  opens a page, passing `opts` plus `open` (show itself) so one page can
 *  open another. */
export async function mountSubtabs(el, pages, labels, ariaLabel, bodyId) {
  const body = h('div.subtab-body', { id: bodyId });
  const bar = h('nav.subtabs', { 'aria-label': ariaLabel });
  let active = null;
  async function show(name, opts = {}) {
    active = name;
    for (const b of bar.children) {
      b.classList.toggle('active', b.dataset.page === name);
      if (b.dataset.page === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
    }
    bar.querySelector('.active')?.scrollIntoView({ inline: 'nearest', block: 'nearest' });
    body.replaceChildren(h('p.loading', { text: t('loading') }));
    try {
      const view = await pages[name]({ ...opts, open: show });
      if (active === name) body.replaceChildren(...[view].flat());
    } catch (err) {
      if (active === name) {
        body.replaceChildren(h('div.panel.error-panel', {}, h('p', { text: errText(err) }),
          h('button.primary', { onclick: () => show(name, opts), text: t('retry') })));
      }
    }
  }
  for (const name of Object.keys(pages)) bar.append(h('button', { type: 'button', dataset: { page: name }, onclick: () => show(name), text: t(labels[name]) }));
  const edges = () => {
    bar.classList.toggle('more-left', bar.scrollLeft > 2);
    bar.classList.toggle('more-right', bar.scrollLeft + bar.clientWidth < bar.scrollWidth - 2);
  };
  bar.addEventListener('scroll', edges, { passive: true });
  window.addEventListener('resize', edges);
  el.append(bar, body);
  edges();
  await show(Object.keys(pages)[0]);
  return {
    show,
    unmount: () => {
      window.removeEventListener('resize', edges);
      body.querySelectorAll('video').forEach((v) => v.pause());
    },
  };
}
