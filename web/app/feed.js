// The vertical feed: one clip per screen with scroll-snap, autoplay muted
// (tap for sound), the start of the next clip preloaded (no other clip
// loads), and the overlay actions. Leaving
// for another screen keeps the feed's place: coming back within a few
// minutes shows the same clips in the same order at the same clip.
import { get, session } from './api.js';
import { t } from './i18n.js';
import { h, showError, errText, fmtCount, sheetOpen, noSheetOpen, skeleton } from './ui.js';
import { Player } from './player.js';
import { icon } from './icons.js';
import { openComments, openTips, openQuiz, toggleLike } from './feed_sheets.js';
import { tagCatalogue, tagLabel } from './me_loop.js';
import { namedLabels, teamName } from './labels.js';

const PAGE = 5;
const KEEP_MS = 10 * 60 * 1000; // well inside the cursor's and the media links' lifetimes
let kept = null; // {user, items, cursor, done, quizzed, active, at} of the feed last left

/** Why the item is shown, in the UI's language, skills by their label
 * (the server's words for a reason this client does not know). */
function reasonText(item, labels) {
  const key = `why_${item.reason_code}`;
  if (!item.reason_code || t(key) === key) return item.reason;
  const tags = (item.reason_tags || []).map((x) => tagLabel(x, labels[x]));
  return tags.length ? t(key) + t('why_sep') + tags.join(t('why_list')) : t(key);
}

export async function mount(el) {
  const feed = h('div.feed', { id: 'feed' });
  el.append(h('h1.sr-only', { text: t('feedTitle') }), feed, h('a.search-link', { href: '#search', 'aria-label': t('search'), text: '⌕' }));
  const waiting = skeleton('feed');
  feed.append(waiting);
  // the tag labels and the first clips are asked for at once; team names
  // show as they come and are put in the UI's language when their labels
  // arrive (the first frame does not wait for them)
  const labelsWait = tagCatalogue();
  let labels = {}, names = {};
  namedLabels().then((n) => {
    names = n;
    for (const el of feed.querySelectorAll('.slide .team')) el.textContent = teamName(names, el.dataset.team);
  });
  const state = { items: [], slides: [], players: [], cursor: null, done: false, loading: false, active: -1, sound: false, quizzed: new Set() };

  const io = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) activate(Number(e.target.dataset.index));
  }, { root: feed, threshold: 0.6 });

  // A sheet (comments, tips, a quiz) pauses the clip under it; the clip goes
  // on when the last sheet closes, if it was playing.
  let resumeAfterSheet = false;
  const onSheetChange = () => {
    const p = state.players[state.active];
    if (!p) return;
    if (sheetOpen()) {
      if (!p.video.paused) { resumeAfterSheet = true; p.pause(); }
    } else if (resumeAfterSheet) {
      resumeAfterSheet = false;
      p.play().catch(() => {});
    }
  };
  document.addEventListener('sheetchange', onSheetChange);
  const showSlide = (i) => state.slides[i]?.scrollIntoView({ behavior: 'smooth' });

  async function loadMore() {
    if (state.loading || state.done) return;
    state.loading = true;
    try {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (state.cursor) q.set('cursor', state.cursor);
      const [r, l] = await Promise.all([get(`/api/v1/feed?${q}`), labelsWait]);
      labels = l;
      state.cursor = r.next_cursor;
      state.done = !r.next_cursor;
      for (const item of r.items) addSlide(item);
      if (!state.items.length) {
        feed.append(h('div.empty.panel', {}, h('p', { text: t('feedEmpty') }),
          h('a.button.primary', { href: '#upload', text: t('feedEmptyUpload') })));
      }
    } catch (err) {
      showError(err);
      if (!state.items.length) feed.append(h('div.panel.error-panel', {}, h('p', { text: errText(err) }),
        h('button.primary', { onclick: () => { feed.replaceChildren(); loadMore(); }, text: t('retry') })));
    } finally {
      state.loading = false;
    }
  }

  function addSlide(item) {
    const i = state.items.length;
    state.items.push(item);
    const video = h('video', {
      poster: item.urls.poster, playsinline: true, 'webkit-playsinline': true, muted: true, preload: 'none',
      width: item.width, height: item.height, disablepictureinpicture: true,
    });
    video.muted = true;
    const hint = h('div.hint', { text: t('tapUnmute') });
    // the clip is a button: a tap or Enter/Space does what the hint says
    // (sound on, play, pause), and its label says the same
    const stage = h('div.stage', { style: `aspect-ratio: ${item.width || 9} / ${item.height || 16}`, role: 'button', tabindex: '0', 'aria-label': hint.textContent }, video, hint);
    const likeBtn = actionBtn('like', 'heart', item.counts.likes, item.viewer.liked);
    const commentBtn = actionBtn('comments', 'comment', item.counts.comments);
    const own = item.creator.id === session()?.user?.id; // nobody tips their own clip
    const tipBtn = own ? null : actionBtn('tip', 'gift', item.counts.tips);
    const muteBtn = h('button.action.mute', { 'aria-label': t('unmute') }, icon('muted', 28));
    const badges = h('div.badges', {},
      item.must_watch && h('span.badge.must', { text: t('mustWatch') }),
      item.featured && h('span.badge.feat', { text: `★ ${t('featured')}` }));
    const info = h('div.info', {},
      badges,
      h('h2.title', { text: item.title }),
      h('p.creator', {}, h('strong', { text: `@${item.creator.display_name}` }),
        item.creator.featured && h('span.badge.feat.creator-badge', { text: `★ ${t('featured')}` }),
        h('span.team', { dataset: { team: item.creator.team || '' }, text: teamName(names, item.creator.team) })),
      item.reason && h('p.reason', {}, icon('bulb', 18), reasonText(item, labels)),
      item.tags?.length && h('p.tags', { text: item.tags.map((x) => `#${tagLabel(x, labels[x])}`).join(' ') }));
    const slide = h('section.slide', { dataset: { index: String(i), id: String(item.id) } },
      stage, info, h('div.actions', {}, likeBtn, commentBtn, tipBtn, muteBtn));
    const player = new Player(video, item, {
      onEnded: (sent) => {
        if (item.has_quiz && !state.quizzed.has(item.id)) {
          state.quizzed.add(item.id);
          // answers count once the watch is complete; a quiz never stacks over another sheet
          sent.then(noSheetOpen).then(() => openQuiz(item, { onContinue: () => showSlide(i + 1) }));
        } else if (state.active === i) {
          video.currentTime = 0;
          player.play().catch(() => {});
        }
      },
      onFail: () => { hint.textContent = t('playFailed'); hint.hidden = false; showError(new Error(t('playFailed'))); },
    });
    stage.addEventListener('click', () => {
      if (video.muted) setSound(true);
      else if (video.paused) player.play().catch(() => {});
      else player.pause();
      syncHint(i);
    });
    stage.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      stage.click();
    });
    muteBtn.addEventListener('click', () => setSound(!state.sound));
    likeBtn.addEventListener('click', () => toggleLike(item, likeBtn));
    commentBtn.addEventListener('click', () => openComments(item, commentBtn));
    tipBtn?.addEventListener('click', () => openTips(item, tipBtn));
    video.addEventListener('play', () => syncHint(i));
    video.addEventListener('pause', () => syncHint(i));
    state.slides.push(slide);
    state.players.push(player);
    feed.append(slide);
    io.observe(slide);
  }

  function actionBtn(kind, ico, count, on = false) {
    // the name is the word and the number shown: "Comments 3"
    return h(`button.action.${kind}${on ? '.on' : ''}`, { 'aria-pressed': kind === 'like' ? String(on) : null },
      icon(ico), h('span.sr-only', { text: `${t(kind)} ` }), h('span.count', { text: fmtCount(count) }));
  }

  function syncHint(i) {
    const v = state.players[i]?.video;
    const hint = state.slides[i]?.querySelector('.hint');
    if (!v || !hint) return;
    hint.textContent = v.paused ? t('tapPlay') : t('tapUnmute');
    hint.hidden = !v.paused && !v.muted;
    state.slides[i].querySelector('.stage').setAttribute('aria-label', hint.hidden ? t('pauseClip') : hint.textContent);
    const mute = state.slides[i].querySelector('.mute');
    mute.replaceChildren(icon(v.muted ? 'muted' : 'sound', 28));
    mute.setAttribute('aria-label', t(v.muted ? 'unmute' : 'mute'));
  }

  function setSound(on) {
    state.sound = on;
    for (const p of state.players) p.video.muted = !on;
    const i = state.active;
    if (i >= 0) { state.players[i].play().catch(() => {}); syncHint(i); }
  }

  function activate(i) {
    if (i === state.active) return;
    state.active = i;
    state.players.forEach((p, j) => {
      if (j === i) {
        p.video.muted = !state.sound;
        p.play().catch(() => {
          // a play() cut short by scrolling on must not restart this clip off screen
          if (state.active !== i) return;
          p.video.muted = true;
          p.play().catch(() => syncHint(i));
        });
      } else if (j === i + 1) {
        p.pause();
        p.attach({ startOnly: true }).catch(() => {}); // the next clip's first frames wait ready
      } else {
        p.detach(); // the clips behind and further on fetch nothing
      }
    });
    syncHint(i);
    if (i >= state.items.length - 2) loadMore();
  }

  const me = session()?.user?.id;
  if (kept && kept.user === me && kept.items.length && Date.now() - kept.at < KEEP_MS) {
    const back = kept;
    kept = null;
    waiting.remove();
    Object.assign(state, { cursor: back.cursor, done: back.done, quizzed: back.quizzed });
    labels = await labelsWait;
    for (const item of back.items) addSlide(item);
    feed.scrollTop = back.active * feed.clientHeight;
  } else {
    kept = null;
    await loadMore();
    waiting.remove();
  }
  return () => {
    kept = { user: me, items: state.items, cursor: state.cursor, done: state.done, quizzed: state.quizzed, active: Math.max(0, state.active), at: Date.now() };
    document.removeEventListener('sheetchange', onSheetChange);
    io.disconnect();
    for (const p of state.players) p.destroy();
  };
}
