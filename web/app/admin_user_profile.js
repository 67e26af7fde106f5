// Admin: a person's hire details and skills (hire date, employee id,
// interests and skills to improve, the last two from the skill tags in the
// UI's language), on the create form and in an edit sheet per person.
import { get, patch } from './api.js';
import { t } from './i18n.js';
import { h, toast, sheet, errText } from './ui.js';
import { field, textInput, actionButton, errorLine } from './admin_form.js';
import { tagPicker, pickedTags } from './upload.js';

const MAX_TAGS = 32; // per list (POST /api/v1/users)

/** The inputs for `u`'s (GET /api/v1/users/{id}; {} for a new person) hire
 *  details and skills, `tags` the GET /api/v1/tags items: `el` the labelled
 *  fields, `body()` the fields to send (a new person's empty ones left out). */
export function profileInputs(tags, u = {}) {
  const hire = h('input', { type: 'date', name: 'hire_date', value: u.hire_date || '' });
  const emp = textInput({ name: 'employee_id', maxlength: 64, value: u.employee_id || '' });
  const picker = (legend, picked, id) => {
    if (!tags.length) return h('p.muted', { text: `${t(legend)}: ${t('ad_noTags')}` });
    const p = tagPicker(tags, MAX_TAGS, picked || [], t(legend));
    p.dataset.list = id;
    return p;
  };
  const interests = picker('ad_interests', u.interests, 'interests');
  const weak = picker('ad_weakSkills', u.weak_skills, 'weak_skills');
  const fresh = !u.id;
  return {
    el: [field('ad_hireDate', hire), field('ad_employeeId', emp), interests, weak],
    reset: () => {
      hire.value = emp.value = '';
      for (const box of [interests, weak].flatMap((p) => [...p.querySelectorAll('input')])) box.checked = box.disabled = false;
    },
    body: () => {
      const b = { hire_date: hire.value || null, employee_id: emp.value.trim() };
      if (tags.length) Object.assign(b, { interests: pickedTags(interests), weak_skills: pickedTags(weak) });
      if (fresh) for (const k of Object.keys(b)) if (b[k] === null || b[k] === '' || b[k]?.length === 0) delete b[k];
      return b;
    },
  };
}

/** A button opening `u`'s hire details and skills in a sheet, saved with PATCH. */
export function profileButton(u, tags) {
  return h('button.edit-profile', { type: 'button', text: t('ad_editProfile'), onclick: async () => {
    const s = sheet(t('ad_profileFor', { name: u.display_name }), 'profile-sheet');
    const out = errorLine();
    s.body.append(out);
    try {
      const f = profileInputs(tags, await get(`/api/v1/users/${u.id}`));
      const save = actionButton('button.primary.big', t('ad_save'), out, async () => {
        await patch(`/api/v1/users/${u.id}`, f.body());
        toast(t('ad_saved'));
        s.close();
      });
      s.body.prepend(...f.el);
      s.body.append(save);
    } catch (err) {
      out.textContent = errText(err);
    }
  } });
}
