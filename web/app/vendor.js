// Third-party scripts (web/vendor/*.min.js, which set a global) fetched on
// first use instead of with the page, so the app shell stays small.
const loading = new Map();

/** Adds a classic <script src=`url`> once; resolves when it has run,
 *  rejects when it cannot be fetched (a later call tries again). */
export function loadScript(url) {
  if (!loading.has(url)) {
    loading.set(url, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.onload = () => resolve();
      s.onerror = () => { loading.delete(url); s.remove(); reject(new Error(`cannot load ${url}`)); };
      document.head.append(s);
    }));
  }
  return loading.get(url);
}
