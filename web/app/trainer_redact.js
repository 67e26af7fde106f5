// The redaction editor on a review card: the trainer (or the creator) pauses
// the clip, drags rectangles on the picture, takes time ranges from the
// timeline (the slider under it), adds muted or bleeped ranges, a trim and
// a poster time, previews the regions on the poster, sends the edit
// (POST /api/v1/videos/{id}/edits) and follows its rendering.
import { get, post } from './api.js';
import { t } from './i18n.js';
import { h, errText, fmtDur } from './ui.js';

const POLL_MS = 1000;
const round = (x) => Math.round(x * 1000) / 1000;

/** A button that opens the editor for clip `v` in place of `replace` (the card's player). */
export function redactButton(v, replace) {
  const b = h('button.redact-open', { text: t('redact'), dataset: { redact: String(v.id) } });
  b.addEventListener('click', () => {
    replace.pause?.();
    const editor = redactEditor(v, () => editor.replaceWith(replace));
    replace.replaceWith(editor);
    b.disabled = true;
  });
  return b;
}

/** Percent box style of a normalised region. */
function boxStyle(r) {
  return `left:${r.x * 100}%;top:${r.y * 100}%;width:${r.w * 100}%;height:${r.h * 100}%`;
}

function redactEditor(v, close) {
  const duration = v.duration || 0;
  const spec = { regions: [], audio: [] };
  const video = h('video.redact-video', { playsinline: true, preload: 'auto', muted: true, src: v.urls?.mp4 });
  video.style.aspectRatio = `${v.width || 9} / ${v.height || 16}`;
  const overlay = h('div.redact-overlay', { 'aria-label': t('redactDrag') });
  const stage = h('div.redact-stage', {}, video, overlay);
  // the stage has the picture's shape, so a position on it is a position on the picture
  stage.style.width = `min(100%, calc(45dvh * ${v.width || 9} / ${v.height || 16}))`;
  const timeline = h('input.redact-timeline', { type: 'range', min: 0, max: duration, step: 0.01, value: 0, 'aria-label': t('redactTimeline') });
  const now = h('output.redact-now', { text: fmtDur(0) });
  const from = h('input', { type: 'number', name: 'from', min: 0, max: duration, step: 0.1, value: 0 });
  const to = h('input', { type: 'number', name: 'to', min: 0, max: duration, step: 0.1, value: round(duration) });
  const style = h('select', { name: 'style' },
    ...['blur', 'pixelate', 'box'].map((s) => h('option', { value: s, text: t(`redactStyle_${s}`) })));
  const list = h('ul.redact-list');
  const posterImg = h('img', { src: v.urls?.poster, alt: t('redactPreview') });
  const preview = h('div.redact-preview', {}, posterImg);
  const out = h('p.form-error', { role: 'alert' });
  const progress = h('progress.redact-progress', { max: 100, value: 0, hidden: true });
  const send = h('button.primary.redact-send', { text: t('redactSend') });

  const range = () => ({ from: Number(from.value), to: Number(to.value) });
  const seek = (s) => { video.currentTime = s; timeline.value = String(s); now.textContent = fmtDur(s); };
  timeline.addEventListener('input', () => { video.pause(); seek(Number(timeline.value)); });
  video.addEventListener('timeupdate', () => { timeline.value = String(video.currentTime); now.textContent = fmtDur(video.currentTime); });

  function redraw() {
    const items = [
      ...spec.regions.map((r, i) => [`${t(`redactStyle_${r.style}`)} ${fmtDur(r.from)}–${fmtDur(r.to)}`, () => spec.regions.splice(i, 1)]),
      ...spec.audio.map((a, i) => [`${t(a.mode === 'bleep' ? 'redactBleep' : 'redactMute')} ${fmtDur(a.from)}–${fmtDur(a.to)}`, () => spec.audio.splice(i, 1)]),
      spec.trim && [`${t('redactTrim')} ${fmtDur(spec.trim.start)}–${fmtDur(spec.trim.end)}`, () => delete spec.trim],
      spec.poster_time !== undefined && [`${t('redactPoster')} ${fmtDur(spec.poster_time)}`, () => delete spec.poster_time],
    ].filter(Boolean);
    list.replaceChildren(...items.map(([text, drop]) => h('li', {}, text, ' ',
      h('button.link', { text: '✕', 'aria-label': t('redactRemove'), onclick: () => { drop(); redraw(); } }))));
    // the regions over the paused picture and on the poster
    for (const layer of [overlay, preview]) {
      layer.querySelectorAll('.redact-box').forEach((b) => b.remove());
      for (const r of spec.regions) layer.append(h(`div.redact-box.${r.style}`, { style: boxStyle(r) }));
    }
    send.disabled = !list.children.length;
  }

  // drag a rectangle on the picture: normalised to the stage, which has the picture's shape
  let drag = null;
  overlay.addEventListener('pointerdown', (e) => {
    video.pause();
    const b = overlay.getBoundingClientRect();
    drag = { b, x0: (e.clientX - b.left) / b.width, y0: (e.clientY - b.top) / b.height, el: h('div.redact-box.draft') };
    overlay.append(drag.el);
    overlay.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  const rectOf = (e) => {
    const clamp = (x) => Math.min(1, Math.max(0, x));
    const x1 = clamp((e.clientX - drag.b.left) / drag.b.width), y1 = clamp((e.clientY - drag.b.top) / drag.b.height);
    const x = Math.min(drag.x0, x1), y = Math.min(drag.y0, y1);
    return { x: round(x), y: round(y), w: round(Math.abs(x1 - drag.x0)), h: round(Math.abs(y1 - drag.y0)) };
  };
  overlay.addEventListener('pointermove', (e) => { if (drag) drag.el.setAttribute('style', boxStyle(rectOf(e))); });
  overlay.addEventListener('pointerup', (e) => {
    if (!drag) return;
    const r = rectOf(e);
    drag.el.remove();
    drag = null;
    if (r.w >= 0.01 && r.h >= 0.01 && r.x + r.w <= 1 && r.y + r.h <= 1) {
      spec.regions.push({ ...r, ...range(), style: style.value });
      redraw();
    }
  });

  const at = (fn) => () => { fn(round(video.currentTime)); redraw(); };
  const buttons = h('div.btn-row.redact-buttons', {},
    h('button', { text: t('redactFromHere'), dataset: { act: 'from' }, onclick: at((s) => { from.value = String(s); }) }),
    h('button', { text: t('redactToHere'), dataset: { act: 'to' }, onclick: at((s) => { to.value = String(s); }) }),
    h('button', { text: t('redactMute'), dataset: { act: 'mute' }, onclick: () => { spec.audio.push({ ...range(), mode: 'mute' }); redraw(); } }),
    h('button', { text: t('redactBleep'), dataset: { act: 'bleep' }, onclick: () => { spec.audio.push({ ...range(), mode: 'bleep' }); redraw(); } }),
    h('button', { text: t('redactTrim'), dataset: { act: 'trim' }, onclick: () => { const r = range(); spec.trim = { start: r.from, end: r.to }; redraw(); } }),
    h('button', { text: t('redactPoster'), dataset: { act: 'poster' }, onclick: at((s) => { spec.poster_time = s; }) }));

  async function follow() {
    progress.hidden = false;
    for (;;) {
      const cur = await get(`/api/v1/videos/${v.id}`);
      const e = cur.media_edit;
      progress.value = e?.progress || 0;
      if (e && e.state !== 'rendering') {
        progress.replaceWith(h(`p.redact-state.${e.state}`, { dataset: { state: e.state },
          text: e.state === 'failed' ? t('redactFailed') : t('redactDone') }));
        if (cur.urls?.poster) posterImg.src = cur.urls.poster;
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  send.addEventListener('click', async () => {
    out.textContent = '';
    send.disabled = true;
    const body = { ...spec };
    if (!body.regions.length) delete body.regions;
    if (!body.audio.length) delete body.audio;
    try {
      await post(`/api/v1/videos/${v.id}/edits`, body);
      buttons.remove();
      await follow();
    } catch (err) {
      out.textContent = errText(err);
      send.disabled = false;
    }
  });
  redraw();
  return h('section.redact-editor', { dataset: { id: String(v.id) } },
    h('p.muted', { text: t('redactHelp') }), stage, h('div.redact-time', {}, timeline, now),
    h('div.redact-range', {}, h('label', {}, t('redactFrom'), ' ', from), h('label', {}, t('redactTo'), ' ', to), h('label', {}, t('redactStyle'), ' ', style)),
    buttons, list, h('p.muted', { text: t('redactPreview') }), preview, out, progress,
    h('div.btn-row', {}, send, h('button', { text: t('cancel'), onclick: close })));
}
