// Upload: pick or record a clip, title and tags, a resumable tus upload with
// a real progress bar, then processing progress until ready or failed, and
// the clip's review state.
import { get, token, problemError } from './api.js';
import { t, lang } from './i18n.js';
import { h, errText, showError, videoErrorText } from './ui.js';
import { icon } from './icons.js';

export function statusPill(status) {
  return h(`span.status-pill.${status}`, { dataset: { status }, text: t(`st_${status}`) });
}

export async function mount(el) {
  let file = null;
  let upload = null;
  let pollTimer = null;
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
  const [limits, tagList] = await Promise.all([get('/api/v1/limits'), get('/api/v1/tags')]);
  const title = h('input', { name: 'title', maxlength: limits.title_max_chars, required: true, 'aria-describedby': 'title-count' });
  const titleCount = h('small.muted.count', { id: 'title-count' });
  const showCount = () => { titleCount.textContent = `${[...title.value].length}/${limits.title_max_chars}`; };
  title.addEventListener('input', showCount);
  const tagPicker = h('fieldset.tag-picker', { id: 'tag-picker' }, h('legend', { text: t('tagsPick', { n: limits.tags_max }) }),
    ...tagList.items.map((x) => h('label.tag-chip', {}, h('input', { type: 'checkbox', name: 'tag', value: x.name }),
      h('span', { text: x.labels?.[lang()] || x.label || x.name }))));
  tagPicker.addEventListener('change', () => {
    const full = tagPicker.querySelectorAll('input:checked').length >= limits.tags_max;
    for (const box of tagPicker.querySelectorAll('input:not(:checked)')) box.disabled = full;
  });
  const pickedTags = () => [...tagPicker.querySelectorAll('input:checked')].map((x) => x.value);
  const err = h('p.form-error', { role: 'alert' });
  const go = h('button.primary.big', { type: 'submit', id: 'upload-start', text: t('startUpload') });
  const form = h('form.panel', { id: 'upload-form' },
    h('h2', { text: t('uploadTitle') }),
    h('div.picker', {}, h('label', {}, pickInput, icon('folder'), h('span', { text: t('pick') })),
      h('label', {}, recInput, icon('camera'), h('span', { text: t('record') }))),
    chosen,
    h('label', {}, h('span', { text: t('title') }), title, titleCount),
    tagPicker,
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

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    err.textContent = '';
    if (!file) { err.textContent = t('noFile'); return; }
    if (!title.value.trim()) { err.textContent = t('noTitle'); return; }
    if ([...title.value.trim()].length > limits.title_max_chars) { err.textContent = t('err_titleTooLong', { n: limits.title_max_chars }); return; }
    if (file.size > limits.upload_max_bytes) { err.textContent = t('err_fileTooLarge'); return; }
    if (!window.tus) { err.textContent = 'tus-js-client missing (run make deps)'; return; }
    go.disabled = true;
    progress.hidden = false;
    procBar.hidden = true;
    state.replaceChildren();
    setBar(upBar, 0);
    upText.textContent = t('uploading', { p: 0 });
    upload = new window.tus.Upload(file, {
      endpoint: '/api/v1/uploads',
      chunkSize: 2 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      headers: { Authorization: `Bearer ${token()}` },
      metadata: { filename: file.name, filetype: file.type, title: title.value.trim(), tags: pickedTags().join(',') },
      onProgress: (sent, total) => {
        const p = total ? (sent / total) * 100 : 0;
        setBar(upBar, p);
        upText.textContent = t('uploading', { p: Math.floor(p) });
      },
      onError: (e) => {
        // tus-js-client wraps the server's answer (none when the network failed)
        const res = e.originalResponse;
        let body = null;
        try { body = JSON.parse(res?.getBody() || ''); } catch { /* not JSON */ }
        const msg = res || e.originalRequest ? errText(problemError(res?.getStatus() || 0, body), { 'too-large': 'err_fileTooLarge' }) : e.message;
        upText.textContent = msg;
        err.textContent = msg;
        go.disabled = false;
        // what the network cut off resumes; what the server refused starts again
        const refused = res && res.getStatus() >= 400 && res.getStatus() < 500;
        go.textContent = refused ? t('startUpload') : t('resume');
      },
      onSuccess: () => afterUpload(upload.url),
    });
    upload.findPreviousUploads().then((prev) => {
      if (prev.length) upload.resumeFromPreviousUpload(prev[0]);
      upload.start();
    });
  });

  async function afterUpload(url) {
    setBar(upBar, 100);
    upText.textContent = t('uploaded');
    const id = url.split('/').pop();
    try {
      const up = await get(`/api/v1/uploads/${encodeURIComponent(id)}`);
      if (!up.video) throw new Error('no video for this upload');
      poll(up.video.id);
    } catch (e) {
      state.replaceChildren(h('p.form-error', { text: errText(e) }));
    }
  }

  async function poll(videoId) {
    procBar.hidden = false;
    let v;
    try {
      v = await get(`/api/v1/videos/${videoId}`);
    } catch (e) {
      showError(e);
      pollTimer = setTimeout(() => poll(videoId), 3000);
      return;
    }
    setBar(procBar, v.progress || 0);
    const note = v.status === 'pending_review' ? t('pendingNote')
      : v.status === 'failed' ? t('failedNote', { e: videoErrorText(v) || '?' })
        : v.status === 'rejected' ? t('rejectedNote', { e: v.review_reason || v.error || '' })
          : t('processing', { p: v.progress || 0 });
    state.replaceChildren(h('p', {}, statusPill(v.status), ' ', h('strong', { text: v.title })),
      h('p', { class: v.status === 'failed' ? 'form-error' : 'muted', text: note }));
    if (v.status === 'processing') {
      pollTimer = setTimeout(() => poll(videoId), 1000);
    } else {
      upText.textContent = t('uploadDone');
      form.reset();
      file = null;
      chosen.textContent = '';
      go.disabled = false;
      go.textContent = t('startUpload');
    }
  }

  return () => {
    clearTimeout(pollTimer);
    if (upload && go.disabled) upload.abort();
  };
}
