// Upload: pick or record a clip, title and tags, a resumable tus upload with
// a real progress bar, then processing progress until ready or failed, and
// the clip's review state.
import { get, token, problemError } from './api.js';
import { t } from './i18n.js';
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
      if (file && !title.value) title.value = file.name.replace(/\.[^.]+$/, '');
    });
  }
  const title = h('input', { name: 'title', maxlength: 120, required: true });
  const tags = h('input', { name: 'tags', placeholder: t('tagsHint'), autocapitalize: 'none' });
  const err = h('p.form-error', { role: 'alert' });
  const go = h('button.primary.big', { type: 'submit', id: 'upload-start', text: t('startUpload') });
  const form = h('form.panel', { id: 'upload-form' },
    h('h2', { text: t('uploadTitle') }),
    h('div.picker', {}, h('label', {}, pickInput, icon('folder'), h('span', { text: t('pick') })),
      h('label', {}, recInput, icon('camera'), h('span', { text: t('record') }))),
    chosen,
    h('label', {}, h('span', { text: t('title') }), title),
    h('label', {}, h('span', { text: t('tags') }), tags),
    err, go);

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
      metadata: { filename: file.name, filetype: file.type, title: title.value.trim(), tags: tags.value.split(/[,，\s]+/).filter(Boolean).join(',') },
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
        go.textContent = t('resume');
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
