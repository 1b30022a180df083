// The site's Content-Security-Policy, in one place: the page carries it in a
// <meta> (scripts/finish-site.mjs), the test server and the service worker
// send it as a header (a worker's policy comes from its own response, never
// from the page's <meta>). Scripts, workers, WebAssembly and fetches come from
// the site itself only; no inline script, no plug-in, no <base>. Pictures may
// be data: and blob: URLs (the favicon, saved figures). `frame-ancestors` works
// in a header only, so the header adds it.
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  // plotters measures each label's size in a <span> it styles with a style
  // attribute (never a <style> element): blocked, labels are laid out for
  // the wrong font size. Attributes are all this allows.
  "style-src-attr 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
