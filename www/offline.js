// Starts the site's service worker (www/sw.js), which makes the page
// cross-origin isolated on any static host and keeps the site for offline use.
// A module of its own, not inline: the page's CSP allows no inline script.
const RELOADED = 'reasonlab-isolation-reload';

async function start() {
  if (!self.isSecureContext) return say('none', 'service workers need https:// (or localhost), and this page came over plain http');
  if (!('serviceWorker' in navigator)) return say('none', 'this browser has no service workers');
  let registration;
  try {
    registration = await navigator.serviceWorker.register('./sw.js');
  } catch (e) {
    // Plain http on another machine, a private window that refuses them, no sw.js.
    return say('none', `the service worker could not start (${e.message ?? e})`);
  }
  const sw = navigator.serviceWorker;
  const hadController = Boolean(sw.controller);
  let updating = false;
  sw.addEventListener('controllerchange', () => {
    // Either the first visit's worker took over (then reload to be isolated,
    // once a session: where the browser still refuses isolation, no loop), or
    // the person asked for the new build, here or in another tab (this page
    // is then an older build than the files it would fetch: say so).
    if (updating || (!self.crossOriginIsolated && !sessionStorage.getItem(RELOADED))) {
      sessionStorage.setItem(RELOADED, '1');
      location.reload();
    } else if (hadController) {
      showUpdate('ReasonLab was updated in another tab. ', () => location.reload());
    }
  });
  if (sw.controller && !self.crossOriginIsolated && !sessionStorage.getItem(RELOADED)) {
    sessionStorage.setItem(RELOADED, '1');
    return location.reload();
  }
  const ready = await sw.ready;
  say('ready', '');
  // What this visit fetched before the worker served it, kept for offline use too.
  const fetched = performance.getEntriesByType('resource').map((e) => e.name);
  ready.active?.postMessage({ keep: [location.href.split('#')[0], ...fetched] });
  const offer = (waiting) => waiting && sw.controller && showUpdate('A new version of ReasonLab is ready. ', () => { updating = true; waiting.postMessage('take-over'); });
  // A new build's worker may be waiting, installing, or found later.
  const watch = (next) => next?.addEventListener('statechange', () => next.state === 'installed' && offer(next));
  offer(registration.waiting);
  watch(registration.installing);
  registration.addEventListener('updatefound', () => watch(registration.installing));
}

/** Tells the page (and the tests) whether the site works offline, and why not. */
function say(state, why) {
  document.documentElement.dataset.offline = state;
  if (why) document.documentElement.dataset.offlineWhy = why;
}

/** A notice at the top of the page: a new build is installed and waits, or took over. */
function showUpdate(text, takeOver) {
  if (document.querySelector('.update')) return;
  const box = document.createElement('div');
  box.className = 'update';
  box.setAttribute('role', 'status');
  box.textContent = text;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Reload to update';
  button.addEventListener('click', takeOver);
  box.append(button);
  document.body.prepend(box);
}

start();
