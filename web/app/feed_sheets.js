// The feed's sheets and actions: like, comments, tips (gift picker with the
// free allowance), and the quiz after a finished clip.
import { api, get, post, idempotencyKey } from './api.js';
import { t } from './i18n.js';
import { icon } from './icons.js';
import { h, sheet, toast, showError, errText, fmtCount, fmtDate, historySettled } from './ui.js';
import { labelOf } from './labels.js';

const setCount = (btn, n) => { btn.querySelector('.count').textContent = fmtCount(n); };

// A like shows at once (a slow network must not make a tap feel lost); the
// server's answer then sets the true count, or a failure takes it back.
export async function toggleLike(item, btn) {
  if (btn.dataset.busy) return;
  btn.dataset.busy = '1';
  const show = (liked, likes) => {
    btn.classList.toggle('on', liked);
    btn.setAttribute('aria-pressed', String(liked));
    setCount(btn, likes);
  };
  const before = { liked: item.viewer.liked, likes: item.counts.likes };
  show(!before.liked, Math.max(0, before.likes + (before.liked ? -1 : 1)));
  try {
    const r = await api(before.liked ? 'DELETE' : 'PUT', `/api/v1/videos/${item.id}/like`);
    item.viewer.liked = r.liked;
    item.counts.likes = r.likes;
    show(r.liked, r.likes);
  } catch (err) {
    show(before.liked, before.likes);
    showError(err);
  } finally {
    delete btn.dataset.busy;
  }
}

// Comments, newest first, a page at a time: the next page loads when the
// end of the list scrolls into view. A comment just posted goes on top and
// is scrolled to, so it is where the reader looks.
export async function openComments(item, btn) {
  const s = sheet(t('comments'), 'comments-sheet');
  const list = h('ul.comment-list');
  const more = h('p.muted.comments-more', { text: t('loading') });
  const input = h('input', { name: 'comment', placeholder: t('writeComment'), 'aria-label': t('writeComment'), maxlength: 500, required: true, autocomplete: 'off' });
  const send = h('button.primary', { type: 'submit', text: t('send') });
  const form = h('form.comment-form', {}, input, send);
  s.body.append(list, more, form);
  const row = (c) => h('li.comment', { dataset: { id: c.id } }, h('strong', { text: c.author.display_name }), h('span.when', { text: fmtDate(c.created_at) }), h('p', { text: c.body }));
  let after = 0;
  let loading = false;
  const pager = new IntersectionObserver((seen) => { if (seen.some((e) => e.isIntersecting)) loadPage(); }, { root: s.body });
  const done = () => { pager.disconnect(); more.remove(); };
  async function loadPage() {
    if (loading || after === null) return;
    loading = true;
    try {
      const r = await get(`/api/v1/videos/${item.id}/comments?limit=20${after ? `&after=${after}` : ''}`);
      const known = new Set([...list.children].map((li) => li.dataset.id));
      list.append(...r.items.filter((c) => !known.has(String(c.id))).map(row));
      after = r.next_after;
      if (after === null) {
        done();
        if (!list.children.length) list.append(h('li.muted.none', { text: t('noComments') }));
      }
    } catch (err) {
      more.textContent = errText(err);
      more.className = 'form-error comments-more';
      after = null;
      pager.disconnect();
    } finally {
      loading = false;
    }
    // a short first page leaves the end in view: keep filling until it is not
    if (after !== null && more.isConnected && more.getBoundingClientRect().top < s.body.getBoundingClientRect().bottom) loadPage();
  }
  pager.observe(more);
  await loadPage();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    send.disabled = true;
    try {
      const c = await post(`/api/v1/videos/${item.id}/comments`, { body });
      list.querySelector('.none')?.remove();
      const mine = row(c);
      list.prepend(mine);
      mine.scrollIntoView({ block: 'nearest' });
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
      h('span', { text: labelOf(g.labels, g.label) }), h('small', { text: `${g.points} ${t('points')}` }));
    b.addEventListener('click', async () => {
      for (const x of grid.children) x.disabled = true;
      try {
        const r = await post(`/api/v1/videos/${item.id}/tips`, { gift: g.name, count: 1 }, { idem: idempotencyKey() });
        item.counts.tips = r.video_tips;
        setCount(btn, r.video_tips);
        toast(t('tipSent', { gift: labelOf(g.labels, g.label) }));
        s.close();
      } catch (err) {
        showError(err);
        for (const x of grid.children) x.disabled = false;
      }
    });
    grid.append(b);
  }
}

// The quiz after a finished clip. The result marks each question's right
// answer and a wrong pick in words as well as colour; Continue closes the
// sheet and calls `onContinue` (the feed moves to the next clip).
export async function openQuiz(item, { onContinue } = {}) {
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
  const next = h('button.primary.big.quiz-continue', { type: 'button', hidden: true, text: t('quizContinue') });
  next.addEventListener('click', () => { s.close(); historySettled().then(() => onContinue?.()); });
  const out = h('p.quiz-result', { role: 'status' });
  form.append(out, submit, next);
  s.body.append(form);
  const mark = (label, cls, text) => { label?.classList.add(cls); label?.append(h('span.mark', { text })); };
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
        if (!fs) continue;
        fs.classList.add(x.correct ? 'right' : 'wrong');
        const labels = fs.querySelectorAll('label.choice');
        mark(labels[x.correct_choice], 'answer', `✓ ${t('quizRightAnswer')}`);
        const picked = answers.find((a) => a.question_id === x.question_id)?.choice;
        if (!x.correct) mark(labels[picked], 'picked-wrong', `✗ ${t('quizYourPick')}`);
        for (const input of fs.querySelectorAll('input')) input.disabled = true;
      }
      submit.hidden = true;
      next.hidden = false;
      next.focus();
    } catch (err) {
      out.textContent = errText(err);
      submit.disabled = false;
    }
  });
}
