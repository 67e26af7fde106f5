// One clip on its own (#clip/<id>): from the inbox and from my clips. It
// plays the clip when it has media, and says where it stands: waiting for
// review, rejected and why, live with its numbers.
import { get } from './api.js';
import { t } from './i18n.js';
import { h, clipStats, videoErrorText } from './ui.js';
import { statusPill } from './upload.js';
import { Player } from './player.js';

export async function mount(el, { arg }) {
  const v = await get(`/api/v1/videos/${encodeURIComponent(arg || '')}`);
  const panel = h('section.panel.clip-view', {},
    h('a.back', { href: '#me', text: `‹ ${t('tabMe')}` }),
    h('h1', { text: v.title }),
    h('p', {}, statusPill(v.status)));
  let player = null;
  if (v.urls) {
    const video = h('video', { poster: v.urls.poster, controls: true, playsinline: true, preload: 'metadata', width: v.width, height: v.height, 'aria-label': v.title });
    panel.append(h('div.clip-stage', {}, video));
    player = new Player(video, v);
    player.attach({ startOnly: true }).catch(() => {});
  }
  if (v.status === 'rejected' && v.review_reason) panel.append(h('p.review-reason', { text: t('ib_reason', { reason: v.review_reason }) }));
  if (v.error) panel.append(h('p.form-error', { text: videoErrorText(v) }));
  if (v.description) panel.append(h('p', { text: v.description }));
  if (v.status === 'published' && v.counts) {
    const c = v.counts;
    panel.append(h('p.muted.clip-stats', { text: clipStats(c) }));
  }
  el.append(panel);
  return () => player?.destroy();
}
