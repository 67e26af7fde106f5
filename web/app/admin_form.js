// Small form pieces the admin pages share: a labelled field, an error line,
// and a button that runs one server call at a time and says what went wrong.
import { patch } from './api.js';
import { t } from './i18n.js';
import { h, errText, toast } from './ui.js';

/** A <label> whose visible text (i18n key `key`) names `input`. */
export const field = (key, input) => h('label', {}, h('span', { text: t(key) }), input);

/** An input for text: `attrs` as h() takes them, a name required. */
export const textInput = (attrs) => h('input', { autocomplete: 'off', ...attrs });

/** The English and Chinese label inputs of record `x` (a new one when
 *  absent), named label_en and label_zh. */
export const labelInputs = (x = {}) => ({
  en: textInput({ name: 'label_en', value: x.labels?.en || '', maxlength: 64, dataset: { was: x.labels?.en || '' } }),
  zh: textInput({ name: 'label_zh', value: x.labels?.zh || '', maxlength: 64, lang: 'zh-CN' }),
});

/** The labelled fields of labelInputs(). */
export const labelFields = (f) => [field('ad_labelEn', f.en), field('ad_labelZh', f.zh)];

/** The `labels` to send from labelInputs() `f`: the English one only when
 *  changed (an English label that is the name follows a rename), the
 *  Chinese one or null to drop it. */
export function labelsBody(f) {
  const en = f.en.value.trim(), zh = f.zh.value.trim();
  return { ...(en && en !== f.en.dataset.was ? { en } : {}), zh: zh || null };
}

/** A button (`spec` as h() takes it, text `label`) that runs `action` once
 *  at a time, disabled meanwhile; a failure shows in `out` in the UI's
 *  language. `action` gets the click event. */
export function actionButton(spec, label, out, action) {
  const b = h(spec, { type: 'button', text: label });
  b.addEventListener('click', async (e) => {
    b.disabled = true;
    out.textContent = '';
    try {
      await action(e);
    } catch (err) {
      out.textContent = errText(err);
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

/** An error line read out when it changes. */
export const errorLine = () => h('p.form-error', { role: 'alert' });

/** A yes/no <select> named `name` for an item's active flag. */
export const activeSelect = (name, on) => h('select', { name },
  h('option', { value: '1', text: t('ad_active'), selected: on }), h('option', { value: '0', text: t('ad_inactive'), selected: !on }));

/** A list row (`spec`) editing record `x` in place: a fieldset titled
 *  `legend(x)` holding `fields(f)` for the inputs `f = inputs(x)`, and a
 *  Save button that PATCHes `body(f)` to `url(x)` and redraws the row from
 *  the server's answer (with `row(fresh)` when given, then `saved()`).
 *  `dataset(x)` marks the row. */
export function patchRow(x, kind) {
  const { spec, dataset, legend, inputs, fields, body, url } = kind;
  const out = errorLine();
  const f = inputs(x);
  const save = actionButton('button', t('ad_save'), out, async () => {
    const fresh = await patch(url(x), body(f));
    toast(t('ad_saved'));
    kind.saved?.();
    row.replaceWith(kind.row ? kind.row(fresh) : patchRow(fresh, kind));
  });
  const row = h(spec, { dataset: dataset(x) }, h('fieldset', {}, h('legend', { text: legend(x) }), fields(f), out, save));
  return row;
}
