// The cue editor: one clip's captions per language as a list of lines
// (start, end, text), added, removed and saved through the API. The server
// checks the times; its refusal names the line ("cue 3: ...").
import { api, get } from './api.js';
import { t, lang } from './i18n.js';
import { h, sheet, toast, errText } from './ui.js';

/** Opens the editor for clip `video` ({id, title}) in a bottom sheet. */
export function openCueEditor(video) {
  const { body, close } = sheet(`${t('captions')} · ${video.title}`, 'cue-sheet');
  const langSel = h('select', { name: 'lang', 'aria-label': t('captionsLang') },
    h('option', { value: 'zh', text: '中文' }), h('option', { value: 'en', text: 'English' }));
  langSel.value = lang();
  const list = h('ol.cue-list', { id: 'cue-list' });
  const error = h('p.form-error', { role: 'alert', hidden: true });
  const save = h('button.primary', { type: 'submit', text: t('saveCaptions') });
  const remove = h('button.danger', { type: 'button', text: t('deleteCaptions') });
  const addBtn = h('button', { type: 'button', text: `+ ${t('addCue')}` });
  const form = h('form.cue-form', {}, h('label', {}, t('captionsLang'), ' ', langSel), list, addBtn, error,
    h('div.btn-row', {}, save, remove));
  body.append(form);
  const path = () => `/api/v1/videos/${video.id}/captions/${langSel.value}`;

  function renumber() {
    [...list.children].forEach((li, i) => li.querySelector('.cue-remove').setAttribute('aria-label', t('removeCue', { n: i + 1 })));
    if (!list.children.length) list.append(h('li.muted.cue-empty', { text: t('noCues') }));
  }

  function addRow(cue = {}) {
    list.querySelector('.cue-empty')?.remove();
    const last = [...list.querySelectorAll('input[name=end]')].pop();
    const start = cue.start ?? (last ? Number(last.value) : 0);
    const num = (name, value) => h('input', { type: 'number', name, min: '0', step: '0.1', value: String(value), required: true, 'aria-label': t(name === 'start' ? 'cueStart' : 'cueEnd'), inputmode: 'decimal' });
    const li = h('li.cue-row', {},
      h('div.cue-times', {}, num('start', start), ' → ', num('end', cue.end ?? Math.round((start + 2) * 10) / 10)),
      h('input', { type: 'text', name: 'text', value: cue.text ?? '', required: true, maxlength: '1000', 'aria-label': t('cueText') }),
      h('button.icon.cue-remove', { type: 'button', text: '✕', onclick: () => { li.remove(); renumber(); } }));
    list.append(li);
    renumber();
  }

  async function load() {
    list.replaceChildren();
    error.hidden = true;
    try {
      const c = await get(path());
      for (const cue of c.cues) addRow(cue);
    } catch (err) {
      if (err.status !== 404) { error.textContent = errText(err); error.hidden = false; }
    }
    renumber();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const cues = [...list.querySelectorAll('.cue-row')].map((li) => ({
      start: Number(li.querySelector('[name=start]').value),
      end: Number(li.querySelector('[name=end]').value),
      text: li.querySelector('[name=text]').value,
    }));
    save.disabled = true;
    error.hidden = true;
    try {
      await api('PUT', path(), { json: { cues } });
      toast(t('captionsSaved'));
      close();
    } catch (err) {
      error.textContent = err.type === 'invalid-captions' ? t('err_captions', { e: err.message }) : errText(err);
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  remove.addEventListener('click', async () => {
    try {
      await api('DELETE', path());
      toast(t('captionsDeleted'));
      load();
    } catch (err) {
      error.textContent = errText(err);
      error.hidden = false;
    }
  });
  addBtn.addEventListener('click', () => addRow());
  langSel.addEventListener('change', load);
  load();
}
