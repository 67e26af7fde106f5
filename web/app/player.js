// One clip's playback: HLS through native playback or hls.js (loaded only
// where native HLS is missing), MP4 as the fallback, captions (shown while
// muted), and watch heartbeats to the API (start, progress every ~5 s of
// playback, seek after the user seeks, end). A clip buffers little ahead: a
// swiped feed leaves most clips after a second or two, so the data goes to
// the clip on screen and the start of the next one.
import { api } from './api.js';
import { lang } from './i18n.js';
import { h, showError } from './ui.js';
import { loadScript } from './vendor.js';

const HEARTBEAT_S = 5;
// seconds hls.js buffers ahead: of the clip playing, and of a clip not
// playing yet (its first segment, enough for the first frames)
const AHEAD_PLAYING = { maxBufferLength: 6, maxMaxBufferLength: 12 };
const AHEAD_START = { maxBufferLength: 1, maxMaxBufferLength: 2 };

/** Whether this browser plays HLS itself (then hls.js is never fetched). */
export const nativeHls = () => !!document.createElement('video').canPlayType('application/vnd.apple.mpegurl');

/** hls.js's Hls, fetched on first use; null where it cannot play. */
export async function loadHls() {
  if (!window.MediaSource && !window.ManagedMediaSource) return null;
  if (!window.Hls) await loadScript(new URL('../vendor/hls.min.js', import.meta.url).href);
  return window.Hls?.isSupported() ? window.Hls : null;
}

export class Player {
  /** `video` is a <video> element; `item` has id and urls {hls, mp4,
   *  captions}; playback starts at `startAt` seconds (a search hit's cue). */
  constructor(video, item, { onEnded, onFail, startAt = 0 } = {}) {
    this.video = video;
    this.item = item;
    this.startAt = startAt;
    this.onEnded = onEnded;
    this.onFail = onFail;
    this.hls = null;
    this.attached = false;
    this.started = false;
    this.lastPos = 0;
    this.warned = false;
    // heartbeats go out one after another: a looping clip's 'end' must reach
    // the server before the next play's 'start', or the end lands on the new
    // session and is refused
    this.sending = Promise.resolve();
    const v = video;
    this.handlers = {
      playing: () => {
        this.ahead(false); // also when the browser's own controls started it
        if (!this.started) {
          this.started = true;
          this.lastPos = v.currentTime;
          this.send('start', v.currentTime);
        }
      },
      timeupdate: () => {
        if (this.started && !v.seeking && v.currentTime - this.lastPos >= HEARTBEAT_S) {
          this.lastPos = v.currentTime;
          this.send('progress', v.currentTime);
        }
      },
      seeked: () => {
        if (!this.started) return;
        this.lastPos = v.currentTime;
        this.send('seek', v.currentTime);
      },
      pause: () => this.reportStop(),
      ended: () => {
        const sent = this.started ? this.send('end', v.duration || v.currentTime) : Promise.resolve();
        this.started = false;
        this.onEnded?.(sent);
      },
      error: () => this.fallback(),
      loadedmetadata: () => {
        if (this.startAt > 0 && this.startAt < (v.duration || Infinity)) v.currentTime = this.startAt;
        this.startAt = 0;
        this.syncCaptions();
      },
      volumechange: () => this.syncCaptions(),
    };
    this.onAddTrack = () => this.syncCaptions();
    v.textTracks.addEventListener?.('addtrack', this.onAddTrack);
    for (const [ev, fn] of Object.entries(this.handlers)) v.addEventListener(ev, fn);
  }

  /** A partial watch counts too: reports where the viewer stopped. */
  reportStop() {
    const v = this.video;
    if (this.started && !v.ended && v.currentTime - this.lastPos >= 1) {
      this.lastPos = v.currentTime;
      this.send('progress', v.currentTime);
    }
  }

  /** Sends one watch event after the ones before it have been answered. */
  send(event, position) {
    this.sending = this.sending.then(() => this.post(event, position));
    return this.sending;
  }

  async post(event, position) {
    try {
      return await api('POST', `/api/v1/videos/${this.item.id}/views`, { json: { event, position: Math.round(position * 10) / 10 } });
    } catch (err) {
      if (err.status === 422 && event === 'progress') {
        // the server saw more video than wall time: tell it we jumped
        this.send('seek', this.video.currentTime);
      } else if (!this.warned) {
        this.warned = true;
        showError(err);
      }
    }
  }

  /** Loads the media (HLS first); safe to call again. With `startOnly`,
   *  only the first frames (the feed's next clip, a clip not yet played);
   *  playing lifts that. Resolves once the source is set. */
  async attach({ startOnly = false } = {}) {
    this.ahead(startOnly);
    if (this.attached) return this.attaching;
    this.attached = true;
    this.attaching = this.load(startOnly);
    return this.attaching;
  }

  async load(startOnly) {
    const v = this.video;
    const { hls, mp4 } = this.item.urls;
    // one <track> per language whatever plays the clip (Chromium's native HLS
    // shows no SUBTITLES group, hls.js's own tracks are off); where native HLS
    // adds the group's tracks too, syncCaptions shows one track only
    this.addTracks();
    if (hls && v.canPlayType('application/vnd.apple.mpegurl')) {
      v.src = hls;
      return;
    }
    const Hls = hls ? await loadHls().catch(() => null) : null;
    if (!this.attached) return; // detached meanwhile
    if (Hls) {
      // the lowest rendition first: the first frame sooner, then ABR climbs
      this.hls = new Hls({ ...(startOnly ? AHEAD_START : AHEAD_PLAYING), startLevel: 0,
        capLevelToPlayerSize: true, enableWorker: true, enableWebVTT: false });
      this.hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) this.fallback(); });
      this.hls.loadSource(hls);
      this.hls.attachMedia(v);
    } else {
      v.src = mp4;
    }
  }

  /** How far ahead the clip buffers: its start only, or as it plays. */
  ahead(startOnly) {
    this.video.preload = startOnly ? 'metadata' : 'auto';
    if (this.hls) Object.assign(this.hls.config, startOnly ? AHEAD_START : AHEAD_PLAYING);
  }

  addTracks() {
    const v = this.video;
    if (v.querySelector('track')) return;
    const caps = this.item.urls.captions || [];
    if (caps.length) v.crossOrigin = 'anonymous'; // the media origin answers CORS to all
    for (const c of caps)
      v.append(h('track', { kind: 'subtitles', srclang: c.lang, label: c.lang === 'zh' ? '中文' : 'English', src: c.url }));
  }

  /** Captions are on while the clip is muted: the UI's language, else the first. */
  syncCaptions() {
    const v = this.video;
    const tracks = [...v.textTracks].filter((tr) => tr.kind === 'subtitles' || tr.kind === 'captions');
    const pick = tracks.find((tr) => tr.language === lang()) || tracks[0];
    for (const tr of tracks) tr.mode = tr === pick ? (v.muted ? 'showing' : 'hidden') : 'disabled';
  }

  fallback() {
    const v = this.video;
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
      v.src = this.item.urls.mp4;
      if (this.wantPlay) this.play();
    } else if (v.error && v.src && !this.failed) {
      this.failed = true;
      this.onFail?.();
    }
  }

  async play() {
    this.wantPlay = true;
    await this.attach();
    if (!this.wantPlay) return; // paused or detached while hls.js loaded
    return this.video.play();
  }

  pause() {
    this.wantPlay = false;
    if (!this.video.paused) this.video.pause();
  }

  /** Frees the decoder and buffers (the element stays, with its poster). */
  detach() {
    this.pause();
    if (!this.attached) return;
    this.reportStop(); // now: the 'pause' event comes after the position is gone
    this.attached = false;
    this.started = false;
    this.video.preload = 'none';
    if (this.hls) { this.hls.destroy(); this.hls = null; }
    this.video.removeAttribute('src');
    this.video.load();
  }

  destroy() {
    this.detach();
    for (const [ev, fn] of Object.entries(this.handlers)) this.video.removeEventListener(ev, fn);
    this.video.textTracks.removeEventListener?.('addtrack', this.onAddTrack);
  }
}
