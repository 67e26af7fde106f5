// Small form pieces the admin pages share: a labelled field, an error line,
// and a button that runs one server call at a time and says what went wrong.
import { patch } from './api.js';
import { t } from './i18n.js';
import { h, errText, toast } from './ui.js';

/** A <label> whose visible text (i18n key `key`) names `input`. */
export const field = (key, input) => h('label', {}, h('span', { text: t(key) }), input);

/** An input for text: `attrs` as h() takes them, a name required. */
export const textInput = (attrs) => h('input', { autocomplete: 'off', ...attrs });

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
 *  the server's answer. `dataset(x)` marks the row. */
export function patchRow(x, kind) {
  const { spec, dataset, legend, inputs, fields, body, url } = kind;
  const out = errorLine();
  const f = inputs(x);
  const save = actionButton('button', t('ad_save'), out, async () => {
    const fresh = await patch(url(x), body(f));
    toast(t('ad_saved'));
    row.replaceWith(patchRow(fresh, kind));
  });
  const row = h(spec, { dataset: dataset(x) }, h('fieldset', {}, h('legend', { text: legend(x) }), fields(f), out, save));
  return row;
}
