// Trainer pages: review queue (inline player, approve/reject), feature and
// assign, quizzes, leaderboards, analytics, and the learning loop's paths,
// push rules and impact (trainer_loop.js). Only shown to trainers and admins.
import { get, getAll, post } from './api.js';
import { t } from './i18n.js';
import { h, toast, showError, errText, fmtDur } from './ui.js';
import { boards, analytics } from './trainer_stats.js';
import { quizzes, quizButton } from './trainer_quiz.js';
import { paths, rules, impact } from './trainer_loop.js';
import { openCueEditor } from './cues.js';
import { redactButton } from './trainer_redact.js';
import { mountSubtabs } from './subtabs.js';

const pages = { review, feature: featureAssign, quizzes, paths, rules, impact, boards, analytics };
const labels = { review: 'review', feature: 'featureAssign', quizzes: 'quizzes', paths: 'paths', rules: 'rules', impact: 'impact', boards: 'boards', analytics: 'analytics' };

export async function mount(el) {
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
        done.append(' ', featureButton('featureCreator', { user_id: v.owner.id }), ' ', featureButton('featureClip', { video_id: v.id }),
          ' ', quizButton(v));
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

function featureButton(label, target, days = 7) {
  const b = h('button.primary', { dataset: { feature: target.user_id ? 'creator' : 'clip' }, text: `★ ${t(label)}` });
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await post('/api/v1/featured', { ...target, days });
      b.textContent = `★ ${t('featuredOk')}`;
      toast(t('featuredOk'));
    } catch (err) {
      showError(err);
      b.disabled = false;
    }
  });
  return b;
}

async function featureAssign() {
  const [clips, teams, feats, assigns] = await Promise.all([getAll('/api/v1/analytics/videos'), get('/api/v1/analytics/teams'),
    get('/api/v1/featured'), get('/api/v1/assignments')]);
  const pick = (id) => h('select', { name: 'video_id', id }, clips.items.map((c) => h('option', { value: String(c.video_id), text: `${c.title} — ${c.creator}` })));

  // feature a clip or its creator
  const fClip = pick('feature-clip');
  const fDays = h('input', { type: 'number', name: 'days', min: 1, max: 90, value: '7' });
  const fNote = h('input', { name: 'note', maxlength: 200 });
  const fOut = h('p.form-error', { role: 'alert' });
  const doFeature = async (kind, btn) => {
    btn.disabled = true;
    fOut.textContent = '';
    try {
      let target = { video_id: Number(fClip.value) };
      if (kind === 'creator') target = { user_id: (await get(`/api/v1/videos/${fClip.value}`)).owner.id };
      await post('/api/v1/featured', { ...target, days: Number(fDays.value), note: fNote.value });
      toast(t('featuredOk'));
    } catch (err) {
      fOut.textContent = errText(err);
    } finally {
      btn.disabled = false;
    }
  };
  const fc = h('button.primary', { text: `★ ${t('featureClip')}` });
  const fu = h('button.primary', { text: `★ ${t('featureCreator')}` });
  fc.addEventListener('click', () => doFeature('clip', fc));
  fu.addEventListener('click', () => doFeature('creator', fu));

  // assign must-watch to teams
  const aClip = pick('assign-clip');
  const due = h('input', { type: 'date', name: 'due_date', value: new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10) });
  const checks = h('div.checks', {}, teams.items.map((x) => h('label', {}, h('input', { type: 'checkbox', value: String(x.team_id) }), h('span', { text: x.team }))));
  const aOut = h('p.form-error', { role: 'alert' });
  const aBtn = h('button.primary.big', { id: 'assign-go', text: t('assign') });
  const list = h('ul.list', { id: 'assign-list' });
  const renderAssigns = (items) => list.replaceChildren(...items.map((a) => h('li.row', {},
    h('div.grow', {}, h('strong', { text: a.video.title }), h('div.muted', { text: `${a.target.name} · ${a.due_at ? new Date(a.due_at * 1000).toLocaleDateString() : ''}` })),
    h('span', { text: t('watchedOf', { w: a.watched ?? 0, a: a.assigned ?? 0 }) }))));
  renderAssigns(assigns.items);
  aBtn.addEventListener('click', async () => {
    const team_ids = [...checks.querySelectorAll('input:checked')].map((c) => Number(c.value));
    aBtn.disabled = true;
    aOut.textContent = '';
    try {
      await post('/api/v1/assignments', { video_id: Number(aClip.value), team_ids, due_date: due.value });
      toast(t('assignedOk'));
      renderAssigns((await get('/api/v1/assignments')).items);
    } catch (err) {
      aOut.textContent = errText(err);
    } finally {
      aBtn.disabled = false;
    }
  });

  return [
    h('section.panel', { id: 'feature-form' }, h('h2', { text: t('featureAssign') }),
      h('label', {}, h('span', { text: t('pickClip') }), fClip),
      h('div.btn-row', {}, h('label', {}, h('span', { text: t('days') }), fDays), h('label', {}, h('span', { text: t('note') }), fNote)),
      fOut, h('div.btn-row', {}, fc, fu)),
    h('section.panel', {}, h('h2', { text: t('nowFeatured') }), h('ul.list', { id: 'featured-list' }, feats.items.length ? [] : h('li.muted', { text: t('empty') }), feats.items.map((f) =>
      h('li.row', {}, h('span.badge.feat', { text: '★' }), h('div.grow', { text: f.kind === 'clip' ? `${f.video.title} — ${f.creator.display_name}` : f.creator.display_name }),
        h('small', { text: new Date(f.ends_at * 1000).toLocaleDateString() }))))),
    h('section.panel', { id: 'assign-form' }, h('h2', { text: t('assign') }),
      h('label', {}, h('span', { text: t('pickClip') }), aClip),
      h('fieldset.teams', {}, h('legend', { text: t('teams') }), checks),
      h('label', {}, h('span', { text: t('dueDate') }), due), aOut, aBtn),
    h('section.panel', {}, h('h2', { text: t('assignedList') }), list),
  ];
}
