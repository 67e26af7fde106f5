// The feed's sheets and actions: like, comments, tips (gift picker with the
// free allowance), and the quiz after a finished clip.
import { api, get, post, idempotencyKey } from './api.js';
import { t } from './i18n.js';
import { icon } from './icons.js';
import { h, sheet, toast, showError, errText, fmtCount, fmtDate } from './ui.js';

const setCount = (btn, n) => { btn.querySelector('.count').textContent = fmtCount(n); };

export async function toggleLike(item, btn) {
  btn.disabled = true;
  try {
    const r = await api(item.viewer.liked ? 'DELETE' : 'PUT', `/api/v1/videos/${item.id}/like`);
    item.viewer.liked = r.liked;
    item.counts.likes = r.likes;
    btn.classList.toggle('on', r.liked);
    btn.setAttribute('aria-pressed', String(r.liked));
    setCount(btn, r.likes);
  } catch (err) {
    showError(err);
  } finally {
    btn.disabled = false;
  }
}

export async function openComments(item, btn) {
  const s = sheet(t('comments'), 'comments-sheet');
  const list = h('ul.comment-list', {}, h('li.muted', { text: t('loading') }));
  const input = h('input', { name: 'comment', placeholder: t('writeComment'), maxlength: 500, required: true, autocomplete: 'off' });
  const send = h('button.primary', { type: 'submit', text: t('send') });
  const form = h('form.comment-form', {}, input, send);
  s.body.append(list, form);
  const row = (c) => h('li.comment', {}, h('strong', { text: c.author.display_name }), h('span.when', { text: fmtDate(c.created_at) }), h('p', { text: c.body }));
  try {
    const r = await get(`/api/v1/videos/${item.id}/comments?limit=50`);
    list.replaceChildren(...(r.items.length ? r.items.map(row) : [h('li.muted.none', { text: t('noComments') })]));
  } catch (err) {
    list.replaceChildren(h('li.form-error', { text: errText(err) }));
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    send.disabled = true;
    try {
      const c = await post(`/api/v1/videos/${item.id}/comments`, { body });
      list.querySelector('.none')?.remove();
      list.append(row(c));
      input.value = '';
      item.counts.comments += 1;
      setCount(btn, item.counts.comments);
      toast(t('commentSent'));
    } catch (err) {
      showError(err);
    } finally {
      send.disabled = false;
    }
  });
}

export async function openTips(item, btn) {
  const s = sheet(t('tipTitle'), 'tip-sheet');
  const status = h('p.allowance', { text: t('loading') });
  const grid = h('div.gift-grid');
  s.body.append(status, grid);
  let gifts, pts;
  try {
    [gifts, pts] = await Promise.all([get('/api/v1/gifts'), get('/api/v1/me/points')]);
  } catch (err) {
    status.textContent = errText(err);
    status.className = 'form-error';
    return;
  }
  const showStatus = (free, balance) => {
    status.textContent = `${t('freeLeft', { n: free })} · ${t('balance')} ${balance}`;
  };
  showStatus(pts.free_tip_points_left, pts.balance);
    for (const g of gifts.items.filter((x) => x.active)) {
    const b = h('button.gift', { dataset: { gift: g.name } },
      h('span.gift-icon', {}, icon('gift', 30)),
      h('span', { text: g.label }), h('small', { text: `${g.points} ${t('points')}` }));
    b.addEventListener('click', async () => {
      for (const x of grid.children) x.disabled = true;
      try {
        const r = await post(`/api/v1/videos/${item.id}/tips`, { gift: g.name, count: 1 }, { idem: idempotencyKey() });
        item.counts.tips = r.video_tips;
        setCount(btn, r.video_tips);
        toast(t('tipSent', { gift: g.label }));
        s.close();
      } catch (err) {
        showError(err);
        for (const x of grid.children) x.disabled = false;
      }
    });
    grid.append(b);
  }
}

export async function openQuiz(item) {
  const s = sheet(t('quizTitle'), 'quiz-sheet');
  let quiz;
  try {
    quiz = await get(`/api/v1/videos/${item.id}/quiz`);
  } catch (err) {
    s.body.append(h('p.form-error', { text: errText(err) }));
    return;
  }
  const form = h('form.quiz');
  for (const q of quiz.questions) {
    form.append(h('fieldset', {}, h('legend', { text: q.text }),
      q.choices.map((c, i) => h('label.choice', {}, h('input', { type: 'radio', name: `q${q.id}`, value: String(i), required: true,
        checked: q.your_answer?.choice === i }), h('span', { text: c })))));
  }
  const submit = h('button.primary.big', { type: 'submit', text: t('quizSubmit') });
  const out = h('p.quiz-result', { role: 'status' });
  form.append(out, submit);
  s.body.append(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const answers = quiz.questions.map((q) => ({ question_id: q.id, choice: Number(form.querySelector(`input[name=q${q.id}]:checked`)?.value) }));
    submit.disabled = true;
    try {
      const r = await post(`/api/v1/videos/${item.id}/quiz/answers`, { answers });
      const right = r.results.filter((x) => x.correct).length;
      out.textContent = t('quizResult', { c: right, t: r.results.length, p: r.points_earned });
      for (const x of r.results) {
        const fs = form.querySelector(`input[name=q${x.question_id}]`)?.closest('fieldset');
        fs?.classList.add(x.correct ? 'right' : 'wrong');
        fs?.querySelectorAll('label.choice')[x.correct_choice]?.classList.add('answer');
      }
    } catch (err) {
      out.textContent = errText(err);
      submit.disabled = false;
    }
  });
}
