// Trainer quizzes: the published clips with a quiz button each, and the
// quiz editor (1-3 multiple-choice questions, the right answer marked).
// The server checks the quiz (src/api_quiz.c); its problems show in the form.
import { api, get, getAll } from './api.js';
import { t } from './i18n.js';
import { h, sheet, toast, errText } from './ui.js';

// the limits of PUT /api/v1/videos/{id}/quiz
const MAX_QUESTIONS = 3;
const MIN_CHOICES = 2;
const MAX_CHOICES = 5;
const TEXT_MAX = 300;
const CHOICE_MAX = 120;

const blankQuestion = () => ({ text: '', choices: ['', ''], answer: null });

/** The trainer page: every published clip, newest first, with a badge that
 * says whether it has a quiz yet and a quiz button. */
export async function quizzes() {
  const clips = await getAll('/api/v1/analytics/videos');
  if (!clips.items.length) return h('p.panel.empty', { text: t('empty') });
  const filter = h('input', { type: 'search', name: 'filter', placeholder: t('filterClips'), 'aria-label': t('filterClips'), autocomplete: 'off' });
  const noQuiz = h('input', { type: 'checkbox', name: 'no-quiz' });
  const list = h('ul.list', { id: 'quiz-clips' }, clips.items.map((c) => {
    const video = { id: c.video_id, title: c.title };
    const row = h('li.row', { dataset: { id: String(c.video_id), title: c.title.toLowerCase() } },
      h('div.grow', {}, h('strong', { text: c.title }), h('div.muted', { text: c.creator }), h('span.badge.quiz-badge')),
      quizButton(video, (n) => { showQuizCount(row, n); applyFilters(); }));
    showQuizCount(row, c.quiz_questions ?? 0);
    return row;
  }));
  // the title filter and "only clips without a quiz" narrow the list together
  function applyFilters() {
    const q = filter.value.trim().toLowerCase();
    for (const li of list.children) {
      li.hidden = (Boolean(q) && !li.dataset.title.includes(q)) || (noQuiz.checked && li.dataset.questions !== '0');
    }
  }
  filter.addEventListener('input', applyFilters);
  noQuiz.addEventListener('change', applyFilters);
  return h('section.panel', { id: 'quiz-page' }, h('h2', { text: t('quizzes') }),
    h('p.muted', { text: t('quizLimits') }), filter,
    h('div.checks', {}, h('label', {}, noQuiz, h('span', { text: t('onlyNoQuiz') }))), list);
}

/** Shows on a clip's `row` how many questions its quiz has (0: no quiz yet). */
function showQuizCount(row, n) {
  row.dataset.questions = String(n);
  const badge = row.querySelector('.quiz-badge');
  badge.classList.toggle('has-quiz', n > 0);
  badge.textContent = n > 0 ? t(n === 1 ? 'quizCountOne' : 'quizCount', { n }) : t('quizNone');
}

/** A button that opens the quiz editor for `video` ({id, title}); `onChange`
 * (optional) gets the new number of questions after a save or a delete. */
export function quizButton(video, onChange) {
  return h('button.primary', {
    type: 'button', dataset: { quiz: String(video.id) }, 'aria-label': t('editQuizFor', { title: video.title }),
    text: `✎ ${t('quizBtn')}`, onclick: () => openQuizEditor(video, onChange),
  });
}

/** Opens the editor in a sheet: loads the clip's quiz, saves it with PUT,
 * retires it with DELETE; either way `onChange` (optional) gets the number of
 * questions the clip has now. */
export async function openQuizEditor(video, onChange) {
  const s = sheet(t('quizFor', { title: video.title }), 'quiz-editor');
  s.el.dataset.id = String(video.id);
  const status = h('p.muted', { text: t('loading') });
  s.body.append(status);
  let quiz = null;
  try {
    quiz = await get(`/api/v1/videos/${video.id}/quiz`);
  } catch (err) {
    if (err.status !== 404) { // 404: no quiz yet
      status.className = 'form-error';
      status.textContent = errText(err);
      return;
    }
  }
  const model = quiz?.questions?.length
    ? quiz.questions.map((q) => ({ text: q.text, choices: [...q.choices], answer: Number.isInteger(q.answer) ? q.answer : null }))
    : [blankQuestion()];
  status.textContent = quiz
    ? t('quizPoints', { p: quiz.points_per_correct_answer })
    : t('noQuizYet');

  const questions = h('div.quiz-questions');
  const addQ = h('button.add', { type: 'button', id: 'quiz-add-question', text: `＋ ${t('addQuestion')}` });
  const out = h('p.form-error', { id: `quiz-error-${video.id}`, role: 'alert' });
  const save = h('button.primary.big', { type: 'submit', text: t('saveQuiz') });
  // an existing quiz can be retired (viewers stop getting it; its answers stay in the analytics)
  const retire = quiz && h('button.bad', { type: 'button', id: 'quiz-delete', text: t('deleteQuiz') });
  const form = h('form.quiz-edit', { novalidate: true, 'aria-describedby': out.id }, questions, addQ, out, save, retire);
  s.body.append(form);
  retire?.addEventListener('click', async () => {
    if (!confirm(t('deleteQuizConfirm'))) return;
    retire.disabled = true;
    try {
      await api('DELETE', `/api/v1/videos/${video.id}/quiz`);
      toast(t('quizDeleted'));
      s.close();
      onChange?.(0);
    } catch (err) {
      out.textContent = errText(err);
      retire.disabled = false;
    }
  });

  function clearProblem() {
    out.textContent = '';
    delete out.dataset.field;
    for (const fs of questions.querySelectorAll('fieldset.invalid')) {
      fs.classList.remove('invalid');
      fs.removeAttribute('aria-describedby');
    }
  }

  /** Draws the questions from `model`; `focus` = [question, choice] to focus afterwards. */
  function render(focus) {
    questions.replaceChildren(...model.map(questionBlock));
    addQ.disabled = model.length >= MAX_QUESTIONS;
    if (focus) {
      const [qi, ci] = focus;
      const sel = ci === undefined ? `[name="q${qi}-text"]` : `[name="q${qi}-c${ci}"]`;
      questions.querySelector(sel)?.focus();
    }
  }

  function questionBlock(q, qi) {
    const text = h('textarea', { name: `q${qi}-text`, rows: 2, maxlength: TEXT_MAX });
    text.value = q.text;
    text.addEventListener('input', () => { q.text = text.value; });
    const choices = h('div.choice-edits', { role: 'radiogroup', 'aria-label': t('rightAnswer') }, q.choices.map((c, ci) => {
      const radio = h('input', { type: 'radio', name: `q${qi}-answer`, value: String(ci), checked: q.answer === ci,
        'aria-label': t('markRight', { n: ci + 1 }) });
      radio.addEventListener('change', () => { if (radio.checked) q.answer = ci; });
      const input = h('input', { name: `q${qi}-c${ci}`, maxlength: CHOICE_MAX, autocomplete: 'off',
        placeholder: t('choiceN', { n: ci + 1 }), 'aria-label': t('choiceN', { n: ci + 1 }) });
      input.value = c;
      input.addEventListener('input', () => { q.choices[ci] = input.value; });
      const remove = h('button.icon', { type: 'button', 'aria-label': t('removeChoice', { n: ci + 1 }), text: '✕',
        disabled: q.choices.length <= MIN_CHOICES });
      remove.addEventListener('click', () => {
        q.choices.splice(ci, 1);
        if (q.answer === ci) q.answer = null;
        else if (q.answer !== null && q.answer > ci) q.answer -= 1;
        render([qi, Math.min(ci, q.choices.length - 1)]);
      });
      return h('div.choice-edit', {}, radio, input, remove);
    }));
    const addC = h('button.add', { type: 'button', text: `＋ ${t('addChoice')}`, disabled: q.choices.length >= MAX_CHOICES });
    addC.addEventListener('click', () => {
      q.choices.push('');
      render([qi, q.choices.length - 1]);
    });
    const removeQ = h('button.link', { type: 'button', text: t('removeQuestion', { n: qi + 1 }), disabled: model.length <= 1 });
    removeQ.addEventListener('click', () => {
      model.splice(qi, 1);
      clearProblem();
      render();
      addQ.focus();
    });
    return h('fieldset.quiz-q', { dataset: { q: String(qi) } },
      h('legend', { text: t('questionN', { n: qi + 1 }) }),
      h('label', {}, h('span', { text: t('questionText') }), text),
      h('p.muted.hint-line', { text: t('markRightHint') }),
      choices,
      h('div.btn-row', {}, addC, removeQ));
  }

  addQ.addEventListener('click', () => {
    model.push(blankQuestion());
    render([model.length - 1]);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearProblem();
    save.disabled = true;
    save.textContent = t('saving');
    const body = { questions: model.map((q) => ({ text: q.text.trim(), choices: q.choices.map((c) => c.trim()), answer: q.answer })) };
    try {
      const saved = await api('PUT', `/api/v1/videos/${video.id}/quiz`, { json: body });
      toast(t('quizSaved', { n: saved.questions.length }));
      s.close();
      onChange?.(saved.questions.length);
    } catch (err) {
      if (err.field) out.dataset.field = err.field;
      // the detail "questions[1] needs …" names the question: say so and point at it
      const m = err.field === 'questions' && /questions\[(\d+)\]/.exec(err.message || '');
      out.textContent = m ? t('err_quizQuestion', { n: Number(m[1]) + 1 }) : errText(err);
      const fs = m && questions.querySelector(`fieldset[data-q="${m[1]}"]`);
      if (fs) {
        fs.classList.add('invalid');
        fs.setAttribute('aria-describedby', out.id);
      }
      save.disabled = false;
      save.textContent = t('saveQuiz');
    }
  });

  render();
}
