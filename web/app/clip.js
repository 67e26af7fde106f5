// One clip on its own (#clip/<id>): from the inbox and from my clips. It
// plays the clip when it has media, and says where it stands: waiting for
// review, rejected and why, live with its numbers. Its owner also edits the
// text here (a live clip's edit waits for review while the approved text
// stays), deletes it after a confirmation, and uploads a failed clip again
// by picking its file again.
import { api, get, patch, session } from './api.js';
import { t } from './i18n.js';
import { h, clipStats, videoErrorText, confirmSheet, toast, errText, historySettled } from './ui.js';
import { statusPill, tagPicker, pickedTags } from './upload.js';
import { Player } from './player.js';
import { startUpload } from './upload_job.js';

export async function mount(el, { arg }) {
  const v = await get(`/api/v1/videos/${encodeURIComponent(arg || '')}`);
  const own = v.owner?.id === session()?.user?.id;
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
    panel.append(own ? numbers(c) : h('p.muted.clip-stats', { text: clipStats(c) }));
  }
  el.append(panel);
  if (own) {
    const [limits, tags] = await Promise.all([get('/api/v1/limits'), get('/api/v1/tags')]);
    if (v.status === 'failed') el.append(retryPanel(v));
    if (['pending_review', 'rejected', 'published'].includes(v.status)) el.append(editPanel(v, limits, tags.items));
    el.append(h('section.panel', {}, h('button.bad.big', { type: 'button', id: 'clip-delete', text: t('deleteClip'), onclick: () => remove(v) })));
  }
  return () => player?.destroy();
}

/** The owner's numbers: who started, who finished, likes, comments, tips. */
function numbers(c) {
  const rows = [['statStarts', c.views], ['statCompletions', c.completions ?? 0], ['statLikes', c.likes], ['statComments', c.comments], ['statTips', c.tips]];
  return h('dl.clip-numbers', { id: 'clip-numbers' },
    rows.map(([key, n]) => h('div', { dataset: { stat: key } }, h('dt', { text: t(key) }), h('dd', { text: String(n ?? 0) }))));
}

/** The text edit form: title, description, tags. A published clip's edit
 * goes to review (202) and says so; another clip's is saved at once. */
function editPanel(v, limits, tagList) {
  const pending = v.edit?.state === 'pending' ? v.edit : null;
  const base = pending || v;
  const title = h('input', { name: 'title', value: base.title, maxlength: limits.title_max_chars, required: true });
  const description = h('textarea', { name: 'description', rows: 3, text: base.description || '' });
  const picker = tagPicker(tagList, limits.tags_max, base.tags || []);
  const note = h('p.muted.edit-note', { role: 'status', text: pending ? t('editPending', { title: pending.title }) : '' });
  const err = h('p.form-error', { role: 'alert' });
  const save = h('button.primary', { type: 'submit', text: t('saveEdit') });
  const form = h('form.panel', { id: 'clip-edit' }, h('h2', { text: t('editClip') }),
    h('label', {}, h('span', { text: t('title') }), title),
    h('label', {}, h('span', { text: t('field_description') }), description),
    picker, note, err, save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if ([...title.value.trim()].length > limits.title_max_chars) { err.textContent = t('err_titleTooLong', { n: limits.title_max_chars }); return; }
    save.disabled = true;
    try {
      const tags = pickedTags(picker);
      const r = await patch(`/api/v1/videos/${v.id}`, { title: title.value.trim(), description: description.value.trim(), tags });
      const waits = r.edit?.state === 'pending' && v.status === 'published';
      note.textContent = waits ? t('editSentForReview') : t('editSaved');
      if (!waits) document.querySelector('.clip-view h1').textContent = r.title;
    } catch (ex) {
      err.textContent = errText(ex);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/** A failed clip: pick its file again and it is uploaded anew with the same
 * text; the failed one is removed once the new upload has arrived. */
function retryPanel(v) {
  const input = h('input', { type: 'file', accept: 'video/*', id: 'retry-file', name: 'file' });
  input.addEventListener('change', () => {
    const file = input.files[0];
    if (!file) return;
    startUpload(file, { title: v.title, tags: (v.tags || []).join(','), replaces: v.id });
    location.hash = '#upload';
  });
  return h('section.panel', { id: 'clip-retry' }, h('h2', { text: t('retryTitle') }),
    h('p', { text: t('retryNote') }),
    h('label.button.primary.file-button', {}, input, h('span', { text: t('retryPick') })));
}

async function remove(v) {
  if (!await confirmSheet(t('deleteClip'), t('deleteClipAsk', { title: v.title }), t('deleteClipOk'))) return;
  try {
    await api('DELETE', `/api/v1/videos/${v.id}`);
    toast(t('clipDeleted'));
    await historySettled();
    location.hash = '#me';
  } catch (err) {
    toast(errText(err), 'error');
  }
}
