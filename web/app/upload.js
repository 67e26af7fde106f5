// Upload: pick or record a clip, title and tags, a resumable tus upload with
// a real progress bar, then processing progress until ready or failed, and
// the clip's review state. The upload itself lives in upload_job.js and goes
// on while other screens are open.
import { get } from './api.js';
import { t, lang } from './i18n.js';
import { h, videoErrorText } from './ui.js';
import { icon } from './icons.js';
import { currentJob, onJobChange, startUpload, retryUpload, clearJob, jobText, unfinishedUploads } from './upload_job.js';

export function statusPill(status) {
  return h(`span.status-pill.${status}`, { dataset: { status }, text: t(`st_${status}`) });
}

/** The tag picker: a chip per tag of `tagList` (GET /api/v1/tags items) in
 * the UI's language, at most `max` picked, `picked` (names) ticked, titled
 * `legend`. */
export function tagPicker(tagList, max, picked = [], legend = t('tagsPick', { n: max })) {
  const picker = h('fieldset.tag-picker', {}, h('legend', { text: legend }),
    ...tagList.map((x) => h('label.tag-chip', {}, h('input', { type: 'checkbox', name: 'tag', value: x.name, checked: picked.includes(x.name) }),
      h('span', { text: x.labels?.[lang()] || x.label || x.name }))));
  const limit = () => {
    const full = picker.querySelectorAll('input:checked').length >= max;
    for (const box of picker.querySelectorAll('input:not(:checked)')) box.disabled = full;
  };
  picker.addEventListener('change', limit);
  limit();
  return picker;
}

/** The names ticked in a tagPicker. */
export const pickedTags = (picker) => [...picker.querySelectorAll('input:checked')].map((x) => x.value);

export async function mount(el) {
  let file = null;
  const chosen = h('p.chosen', { id: 'chosen' });
  const pickInput = h('input', { type: 'file', accept: 'video/*', id: 'pick-file', name: 'file' });
  const recInput = h('input', { type: 'file', accept: 'video/*', capture: 'environment', id: 'record-file' });
  for (const inp of [pickInput, recInput]) {
    inp.addEventListener('change', () => {
      file = inp.files[0] || null;
      chosen.textContent = file ? `${file.name} · ${(file.size / 1048576).toFixed(1)} MB` : '';
      if (file && !title.value) title.value = [...file.name.replace(/\.[^.]+$/, '')].slice(0, limits.title_max_chars).join('');
      showCount();
    });
  }
  // the server's limits and tag list: the form takes only what it accepts
  const [limits, tagList, unfinished] = await Promise.all([get('/api/v1/limits'), get('/api/v1/tags'), unfinishedUploads()]);
  const title = h('input', { name: 'title', maxlength: limits.title_max_chars, required: true, 'aria-describedby': 'title-count' });
  const titleCount = h('small.muted.count', { id: 'title-count' });
  const showCount = () => { titleCount.textContent = `${[...title.value].length}/${limits.title_max_chars}`; };
  title.addEventListener('input', showCount);
  const tags = tagPicker(tagList.items, limits.tags_max);
  tags.id = 'tag-picker';
  const err = h('p.form-error', { role: 'alert' });
  const go = h('button.primary.big', { type: 'submit', id: 'upload-start', text: t('startUpload') });
  // an upload a reload cut off: the same file picked again continues it
  const left = unfinished[0] && !currentJob() ? h('p.unfinished', { id: 'unfinished', text: t('unfinishedNote', { title: unfinished[0].title }) }) : null;
  const form = h('form.panel', { id: 'upload-form' },
    h('h1', { text: t('uploadTitle') }),
    left,
    h('div.picker', {}, h('label', {}, pickInput, icon('folder'), h('span', { text: t('pick') })),
      h('label', {}, recInput, icon('camera'), h('span', { text: t('record') }))),
    chosen,
    h('label', {}, h('span', { text: t('title') }), title, titleCount),
    tags,
    err, go);
  showCount();

  const upBar = h('div.bar', { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, id: 'upload-bar' }, h('i'));
  const upText = h('p', { id: 'upload-text' });
  const procBar = h('div.bar.proc', { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, id: 'process-bar', hidden: true }, h('i'));
  const state = h('div', { id: 'upload-state' });
  const progress = h('section.panel', { id: 'upload-progress', hidden: true }, upText, upBar, procBar, state);
  el.append(form, progress);

  const setBar = (bar, p) => {
    bar.firstChild.style.width = `${p}%`;
    bar.setAttribute('aria-valuenow', String(Math.round(p)));
  };

  // the page shows the upload in flight, which goes on whatever screen is open
  const show = (j) => {
    if (!j) return;
    progress.hidden = false;
    setBar(upBar, j.percent);
    upText.textContent = jobText(j);
    go.disabled = j.phase === 'uploading' || j.phase === 'processing';
    if (j.phase === 'failed') {
      err.textContent = j.error;
      go.textContent = j.refused ? t('startUpload') : t('resume');
    }
    const v = j.video;
    procBar.hidden = !v;
    if (v) {
      setBar(procBar, v.progress || 0);
      const note = v.status === 'pending_review' ? t('pendingNote')
        : v.status === 'failed' ? t('failedNote', { e: videoErrorText(v) || '?' })
          : v.status === 'rejected' ? t('rejectedNote', { e: v.review_reason || v.error || '' })
            : t('processing', { p: v.progress || 0 });
      state.replaceChildren(h('p', {}, statusPill(v.status), ' ', h('strong', { text: v.title })),
        h('p', { class: v.status === 'failed' ? 'form-error' : 'muted', text: note }));
    }
    if (j.phase === 'done') {
      upText.textContent = t('uploadDone');
      form.reset();
      file = null;
      chosen.textContent = '';
      showCount();
      go.disabled = false;
      go.textContent = t('startUpload');
      clearJob();
    }
  };
  const stop = onJobChange(show);
  show(currentJob());

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    err.textContent = '';
    const j = currentJob();
    if (j?.phase === 'failed' && !j.refused) { retryUpload(); return; }
    if (!file) { err.textContent = t('noFile'); return; }
    if (!title.value.trim()) { err.textContent = t('noTitle'); return; }
    if ([...title.value.trim()].length > limits.title_max_chars) { err.textContent = t('err_titleTooLong', { n: limits.title_max_chars }); return; }
    if (file.size > limits.upload_max_bytes) { err.textContent = t('err_fileTooLarge'); return; }
    if (!window.tus) { err.textContent = 'tus-js-client missing (run make deps)'; return; }
    if (j) clearJob();
    state.replaceChildren();
    left?.remove();
    startUpload(file, { title: title.value.trim(), tags: pickedTags(tags).join(',') });
  });

  return stop;
}
