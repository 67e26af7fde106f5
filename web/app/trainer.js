// Trainer pages: review queue (inline player, approve/reject), feature and
// assign, quizzes, leaderboards, analytics, the people list
// (trainer_people.js), and the learning loop's paths, push rules and impact
// (trainer_loop.js). Only shown to trainers and admins.
import { get, getAll, post, del } from './api.js';
import { t } from './i18n.js';
import { h, toast, errText, fmtDur, confirmSheet } from './ui.js';
import { boards, analytics } from './trainer_stats.js';
import { people } from './trainer_people.js';
import { quizzes, quizButton } from './trainer_quiz.js';
import { paths, rules, impact } from './trainer_loop.js';
import { openCueEditor } from './cues.js';
import { redactButton } from './trainer_redact.js';
import { mountSubtabs } from './subtabs.js';
import { clipPicker } from './clip_picker.js';
import { namedLabels, teamName } from './labels.js';

const pages = { review, feature: featureAssign, quizzes, paths, rules, impact, boards, analytics, people };
const labels = { review: 'review', feature: 'featureAssign', quizzes: 'quizzes', paths: 'paths', rules: 'rules', impact: 'impact', boards: 'boards', analytics: 'analytics', people: 'peopleTab' };

export async function mount(el) {
  el.append(h('h1.sr-only', { text: t('tabTrainer') }));
  return (await mountSubtabs(el, pages, labels, t('tabTrainer'), 'trainer-body')).unmount;
}

async function review() {
  const q = await get('/api/v1/review?limit=20');
  if (!q.items.length) return h('p.panel.empty', { id: 'queue-empty', text: t('queueEmpty') });
  return q.items.map(reviewCard);
}

function reviewCard(v) {
  const video = h('video', { controls: true, playsinline: true, preload: 'metadata', poster: v.urls?.poster, src: v.urls?.mp4, width: v.width, height: v.height });
  const reason = h('input', { name: 'reason', placeholder: t('rejectReason'), maxlength: 500 });
  const out = h('p.form-error', { role: 'alert' });
  const approve = h('button.ok', { text: `✓ ${t('approve')}` });
  const reject = h('button.bad', { text: `✕ ${t('reject')}` });
  const captions = h('button.edit-captions', { type: 'button', text: t('captions'), onclick: () => openCueEditor(v) });
  const actions = h('div.btn-row', {}, approve, reject, captions, v.urls && redactButton(v, video));
  const card = h('article.panel.review-card', { dataset: { id: String(v.id) } },
    h('h3', { text: v.title }),
    // an edit of a published clip: the card shows the edit, the live text beside it
    v.review_kind === 'edit' && h('p.review-edit', { text: t('editOfLive', { title: v.live?.title || '' }) }),
    h('p.muted', { text: `${t('by')} ${v.owner?.display_name || ''} · ${fmtDur(v.duration || 0)} · ${(v.tags || []).map((x) => '#' + x).join(' ')}` }),
    v.description && h('p', { text: v.description }),
    video, h('label', {}, reason), out, actions);
  async function decide(decision) {
    out.textContent = '';
    if (decision === 'reject' && !reason.value.trim()) { out.textContent = t('rejectReason'); reason.focus(); return; }
    approve.disabled = reject.disabled = true;
    try {
      // the decision names the text on the card: an edit made since is refused, not approved unseen
      const body = decision === 'approve' ? { decision } : { decision, reason: reason.value.trim() };
      const r = await post(`/api/v1/videos/${v.id}/review`, { ...body, revision: v.revision });
      video.pause();
      const done = h('p', {}, h(`span.status-pill.${r.status}`, { text: t(decision === 'approve' ? 'approved' : 'rejected') }));
      actions.replaceWith(done);
      reason.closest('label').remove();
      if (decision === 'approve') {
        done.after(featureControls(v));
      }
    } catch (err) {
      out.textContent = errText(err);
      approve.disabled = reject.disabled = false;
    }
  }
  approve.addEventListener('click', () => decide('approve'));
  reject.addEventListener('click', () => decide('reject'));
  return card;
}

/** The period (days) and note of a feature: {days, note} inputs and `el` holding them. */
function featureInputs() {
  const days = h('input', { type: 'number', name: 'days', min: 1, max: 90, value: '7', inputmode: 'numeric' });
  const note = h('input', { name: 'note', maxlength: 200 });
  return { days, note, el: h('div.btn-row', {}, h('label', {}, h('span', { text: t('days') }), days), h('label', {}, h('span', { text: t('note') }), note)) };
}

/** The review card's feature buttons, after approval: period and note, then clip or creator. */
function featureControls(v) {
  const f = featureInputs();
  const out = h('p.form-error', { role: 'alert' });
  const button = (label, target) => {
    const b = h('button.primary', { type: 'button', dataset: { feature: target.user_id ? 'creator' : 'clip' }, text: `★ ${t(label)}` });
    b.addEventListener('click', async () => {
      b.disabled = true;
      out.textContent = '';
      try {
        await post('/api/v1/featured', { ...target, days: Number(f.days.value), note: f.note.value.trim() });
        b.textContent = `★ ${t('featuredOk')}`;
        toast(t('featuredOk'));
      } catch (err) {
        out.textContent = errText(err);
        b.disabled = false;
      }
    });
    return b;
  };
  return h('div.feature-controls', {}, f.el, out,
    h('div.btn-row', {}, button('featureCreator', { user_id: v.owner.id }), button('featureClip', { video_id: v.id }), quizButton(v)));
}

const fmtDay = (sec) => new Date(sec * 1000).toLocaleDateString();

async function featureAssign() {
  const [fPick, aPick, teams, names] = await Promise.all([clipPicker('feature-clip'), clipPicker('assign-clip'),
    getAll('/api/v1/analytics/teams'), namedLabels()]);

  // what is featured now, each with a way to end it early
  const featList = h('ul.list', { id: 'featured-list' });
  const fOut = h('p.form-error', { role: 'alert' });
  async function showFeatured() {
    const { items } = await get('/api/v1/featured');
    featList.replaceChildren(...(items.length ? items.map((f) => {
      const name = f.kind === 'clip' ? `${f.video.title} — ${f.creator.display_name}` : f.creator.display_name;
      const end = h('button', { type: 'button', text: t('unfeature') });
      end.addEventListener('click', async () => {
        end.disabled = true;
        try {
          await del(`/api/v1/featured/${f.id}`);
          toast(t('unfeaturedOk', { name }));
          await showFeatured();
        } catch (err) {
          fOut.textContent = errText(err);
          end.disabled = false;
        }
      });
      return h('li.row', { dataset: { id: String(f.id), kind: f.kind } }, h('span.badge.feat', { text: '★' }),
        h('div.grow', {}, h('div', { text: name }), h('small', { text: [t('featuredUntil', { date: fmtDay(f.ends_at) }), f.note].filter(Boolean).join(' · ') })), end);
    }) : [h('li.muted', { text: t('empty') })]));
  }

  // feature a clip or its creator
  const f = featureInputs();
  const doFeature = async (kind, btn) => {
    const clip = fPick.selected();
    fOut.textContent = '';
    if (!clip) { fOut.textContent = t('pickClipFirst'); return; }
    btn.disabled = true;
    try {
      let target = { video_id: clip.id };
      if (kind === 'creator') target = { user_id: clip.creatorId ?? (await get(`/api/v1/videos/${clip.id}`)).owner.id };
      await post('/api/v1/featured', { ...target, days: Number(f.days.value), note: f.note.value.trim() });
      toast(t('featuredOk'));
      await showFeatured();
    } catch (err) {
      fOut.textContent = errText(err);
    } finally {
      btn.disabled = false;
    }
  };
  const fc = h('button.primary', { type: 'button', text: `★ ${t('featureClip')}` });
  const fu = h('button.primary', { type: 'button', text: `★ ${t('featureCreator')}` });
  fc.addEventListener('click', () => doFeature('clip', fc));
  fu.addEventListener('click', () => doFeature('creator', fu));

  // assign must-watch to teams, and take an assignment back
  const due = h('input', { type: 'date', name: 'due_date', value: new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10) });
  const checks = h('div.checks', {}, teams.items.map((x) => h('label', {}, h('input', { type: 'checkbox', value: String(x.team_id) }), h('span', { text: teamName(names, x.team) }))));
  const aOut = h('p.form-error', { role: 'alert' });
  const aBtn = h('button.primary.big', { type: 'button', id: 'assign-go', text: t('assign') });
  const list = h('ul.list', { id: 'assign-list' });
  const targetName = (x) => (x.kind === 'team' ? teamName(names, x.name) : x.name);
  async function showAssigns() {
    const { items } = await get('/api/v1/assignments');
    list.replaceChildren(...(items.length ? items.map((a) => {
      const back = h('button', { type: 'button', text: t('unassign') });
      back.addEventListener('click', async () => {
        if (!await confirmSheet(t('unassign'), t('unassignAsk', { title: a.video.title, who: targetName(a.target) }), t('unassign'))) return;
        back.disabled = true;
        try {
          await del(`/api/v1/assignments/${a.id}`);
          toast(t('unassignedOk'));
          await showAssigns();
        } catch (err) {
          aOut.textContent = errText(err);
          back.disabled = false;
        }
      });
      return h('li.row', { dataset: { id: String(a.id) } },
        h('div.grow', {}, h('strong', { text: a.video.title }), h('div.muted', { text: `${targetName(a.target)} · ${a.due_at ? fmtDay(a.due_at) : ''}` }),
          h('small', { text: t('watchedOf', { w: a.watched ?? 0, a: a.assigned ?? 0 }) })), back);
    }) : [h('li.muted', { text: t('empty') })]));
  }
  aBtn.addEventListener('click', async () => {
    const clip = aPick.selected();
    const team_ids = [...checks.querySelectorAll('input:checked')].map((c) => Number(c.value));
    aOut.textContent = '';
    if (!clip) { aOut.textContent = t('pickClipFirst'); return; }
    aBtn.disabled = true;
    try {
      await post('/api/v1/assignments', { video_id: clip.id, team_ids, due_date: due.value });
      toast(t('assignedOk'));
      await showAssigns();
    } catch (err) {
      aOut.textContent = errText(err);
    } finally {
      aBtn.disabled = false;
    }
  });
  await Promise.all([showFeatured(), showAssigns()]);

  return [
    h('section.panel', { id: 'feature-form' }, h('h2', { text: t('featureAssign') }), fPick.el, f.el, fOut, h('div.btn-row', {}, fc, fu)),
    h('section.panel', {}, h('h2', { text: t('nowFeatured') }), featList),
    h('section.panel', { id: 'assign-form' }, h('h2', { text: t('assign') }), aPick.el,
      h('fieldset.teams', {}, h('legend', { text: t('teams') }), checks),
      h('label', {}, h('span', { text: t('dueDate') }), due), aOut, aBtn),
    h('section.panel', {}, h('h2', { text: t('assignedList') }), list),
  ];
}
