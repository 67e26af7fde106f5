// The upload in flight, which outlives the Upload screen: a resumable tus
// upload and then the clip's processing, with a progress pill above the tab
// bar on every other screen (tap it to go back). One at a time. tus-js-client
// remembers an unfinished upload by the file's fingerprint, so after a
// reload, picking the same file again continues from the server's offset.
import { api, get, token, problemError, loginAgain } from './api.js';
import { t } from './i18n.js';
import { h, errText, videoErrorText } from './ui.js';

// {file, title, phase: 'uploading' | 'failed' | 'processing' | 'done', percent,
//  video, error, refused, upload}
let job = null;
const listeners = new Set();

/** The current upload, or null. */
export const currentJob = () => job;

/** Calls fn(job) on every change; returns the function that stops it. */
export function onJobChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed() {
  for (const fn of listeners) fn(job);
  showPill();
}

/** Starts uploading `file` with `metadata` {title, tags}; a remembered
 * unfinished upload of the same file continues where it stopped. With
 * `replaces` (a failed clip's id), that clip is removed once the new
 * upload has become a clip. */
export function startUpload(file, { title, tags, replaces }) {
  job = { file, title, phase: 'uploading', percent: 0, video: null, error: '', refused: false, replaces };
  const upload = new window.tus.Upload(file, {
    endpoint: '/api/v1/uploads',
    chunkSize: 2 * 1024 * 1024,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    removeFingerprintOnSuccess: true,
    headers: { Authorization: `Bearer ${token()}` },
    metadata: { filename: file.name, filetype: file.type, title, tags },
    onProgress: (sent, total) => {
      job.percent = total ? (sent / total) * 100 : 0;
      changed();
    },
    onError: (e) => {
      // tus-js-client wraps the server's answer (none when the network failed)
      const res = e.originalResponse;
      // the session ended mid-upload: once logged in again it goes on from the server's offset
      if (res?.getStatus() === 401 && !job.askedLogin) {
        job.askedLogin = true;
        loginAgain().then((ok) => {
          if (!ok) return upload.options.onError(e); // fails as below, asked once
          job.askedLogin = false;
          upload.options.headers.Authorization = `Bearer ${token()}`;
          upload.start();
        });
        return;
      }
      let body = null;
      try { body = JSON.parse(res?.getBody() || ''); } catch { /* not JSON */ }
      job.error = res || e.originalRequest ? errText(problemError(res?.getStatus() || 0, body), { 'too-large': 'err_fileTooLarge' }) : e.message;
      // what the network cut off resumes; what the server refused starts again
      job.refused = !!res && res.getStatus() >= 400 && res.getStatus() < 500;
      job.phase = 'failed';
      changed();
    },
    onSuccess: () => processing(upload.url),
  });
  job.upload = upload;
  upload.findPreviousUploads().then((prev) => {
    if (prev.length) upload.resumeFromPreviousUpload(prev[0]);
    upload.start();
  });
  changed();
}

/** Tries the failed upload again from where the server has it. */
export function retryUpload() {
  if (job?.phase !== 'failed' || job.refused) return;
  job.phase = 'uploading';
  job.error = '';
  job.upload.start();
  changed();
}

/** Forgets a finished or refused upload (the form is free again). */
export function clearJob() {
  if (job && (job.phase === 'done' || job.refused)) job = null;
  changed();
}

async function processing(url) {
  job.phase = 'processing';
  job.percent = 100;
  changed();
  const id = url.split('/').pop();
  let videoId;
  try {
    const up = await get(`/api/v1/uploads/${encodeURIComponent(id)}`);
    if (!up.video) throw new Error('no video for this upload');
    videoId = up.video.id;
    if (job.replaces) await api('DELETE', `/api/v1/videos/${job.replaces}`).catch(() => {}); // gone already is fine
  } catch (e) {
    Object.assign(job, { phase: 'done', error: errText(e) });
    changed();
    return;
  }
  const mine = job;
  const poll = async () => {
    if (job !== mine) return;
    try {
      job.video = await get(`/api/v1/videos/${videoId}`);
    } catch {
      setTimeout(poll, 3000); // the network comes back; the clip is safe on the server
      return;
    }
    if (job.video.status === 'processing') setTimeout(poll, 1000);
    else job.phase = 'done';
    changed();
  };
  poll();
}

/** What the job says in words: the phase and its percent, or why it stopped. */
export function jobText(j) {
  if (j.phase === 'uploading') return t('uploading', { p: Math.floor(j.percent) });
  if (j.phase === 'failed') return j.error;
  if (j.phase === 'processing') return j.video ? t('processing', { p: j.video.progress || 0 }) : t('uploaded');
  if (j.video?.status === 'failed') return t('failedNote', { e: videoErrorText(j.video) || '?' });
  return t('uploadDone');
}

/** Unfinished uploads this browser remembers, newest first: [{title, filename}]. */
export async function unfinishedUploads() {
  const storage = window.tus?.defaultOptions?.urlStorage;
  if (!storage) return [];
  try {
    const all = await storage.findAllUploads();
    return all.sort((a, b) => (b.creationTime || '').localeCompare(a.creationTime || ''))
      .map((u) => ({ title: u.metadata?.title || u.metadata?.filename || '', filename: u.metadata?.filename || '' }));
  } catch {
    return [];
  }
}

// the pill: on every screen but Upload while an upload or its processing runs
let pill = null;
function showPill() {
  const busy = job && (job.phase === 'uploading' || job.phase === 'processing' || job.phase === 'failed');
  const away = document.body.dataset.screen !== 'upload';
  if (!busy || !away) { pill?.remove(); pill = null; return; }
  if (!pill) {
    pill = h('a.upload-pill', { id: 'upload-pill', href: '#upload' }, h('span.pill-text'), h('span.pill-bar', {}, h('i')));
    document.body.append(pill);
  }
  pill.classList.toggle('failed', job.phase === 'failed');
  pill.querySelector('.pill-text').textContent = `${job.title} · ${jobText(job)}`;
  pill.querySelector('.pill-bar i').style.width = `${job.phase === 'processing' ? job.video?.progress || 0 : job.percent}%`;
}
window.addEventListener('hashchange', () => setTimeout(showPill));
