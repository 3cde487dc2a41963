// RedisScheduler dashboard: shared helpers. Plain script (no build step); every page script adds itself to RS.pages.
'use strict';
window.RS = (function () {
  const tokenMeta = document.querySelector('meta[name="rs-antiforgery"]');
  const settings = document.querySelector('meta[name="rs-settings"]').dataset;
  const RS = {
    readOnly: settings.readOnly === 'true',
    refreshMs: Number(settings.refreshMs),
    pageSize: Number(settings.pageSize),
    pages: {},
    busy: 0,
  };

  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }
  RS.ApiError = ApiError;

  // Every URL is relative to the page's own address (<path base><prefix>/), so a reverse proxy's path base just works.
  async function request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') {
      // JSON, so the API's cross-site refusal lets it through; the token, so antiforgery does.
      headers['Content-Type'] = 'application/json';
      headers[tokenMeta.dataset.header] = tokenMeta.content;
      init.body = JSON.stringify(body || {});
    }
    const response = await fetch(path, init);
    const isJson = (response.headers.get('Content-Type') || '').includes('json');
    const data = response.status !== 204 && isJson ? await response.json() : null;
    if (!response.ok) {
      throw new ApiError(response.status, (data && (data.detail || data.title)) || response.status + ' ' + response.statusText);
    }
    return data;
  }
  RS.get = (path) => request('GET', path);
  RS.post = (path, body) => request('POST', path, body);
  RS.del = (path) => request('DELETE', path);

  /** A GET whose endpoint may not exist (yet): null on 404. */
  RS.getOptional = async function (path) {
    try {
      return await RS.get(path);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  };

  RS.enc = encodeURIComponent;

  /** "type/local" as a path: each part encoded, the slash kept. */
  RS.idPath = (id) => id.split('/').map(encodeURIComponent).join('/');

  /** Builds an element: h('a', { href: '#', class: 'x', onclick: f }, 'text', child, [more]). */
  RS.h = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    append(node, children);
    return node;
  };
  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else node.append(child instanceof Node ? child : String(child));
    }
  }

  /** A hash link to a page: RS.link('tasks', { type: 'x' }). */
  RS.link = function (page, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== '') query.set(k, v);
    const text = query.toString();
    return '#/' + (page === 'overview' ? '' : page) + (text ? '?' + text : '');
  };

  RS.go = (page, params) => { location.hash = RS.link(page, params); };

  RS.number = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en'));

  RS.time = function (iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
  };

  /** "in 3 min" or "12 s ago", by this browser's clock. */
  RS.relative = function (iso) {
    if (!iso) return '';
    const s = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    const a = Math.abs(s);
    if (a < 2) return 'just now';
    const text = a < 60 ? a + ' s' : a < 3600 ? Math.round(a / 60) + ' min' : a < 172800 ? Math.round(a / 3600) + ' h' : Math.round(a / 86400) + ' d';
    return s >= 0 ? 'in ' + text : text + ' ago';
  };

  RS.when = (iso) => RS.h('time', { datetime: iso, title: iso }, RS.time(iso), ' ', RS.h('span', { class: 'muted' }, RS.relative(iso)));

  /** A task error: its message and type, the stack trace folded away. */
  RS.error = (error) => RS.h('div', {}, RS.h('strong', {}, error.message), ' ', RS.h('span', { class: 'muted' }, '(' + error.exceptionType + ')'),
    error.stackTrace ? RS.h('details', { 'data-key': 'stack-trace' }, RS.h('summary', { 'data-key': 'stack-trace-summary' }, 'Stack trace'), RS.h('pre', { class: 'json' }, error.stackTrace)) : null);

  RS.json = (value) => RS.h('pre', { class: 'json' }, value === undefined ? 'hidden' : JSON.stringify(value, null, 2));

  RS.say = function (message, isError) {
    const status = document.getElementById('status');
    status.textContent = message;
    status.className = 'status' + (isError ? ' error' : ' ok');
  };

  /**
   * An action button, or null in read-only mode (which hides every action). `key` lets the focus come back
   * to it after a live refresh redraws the page. The page is redrawn once the call is done.
   */
  RS.button = function (text, key, run, options) {
    if (RS.readOnly) return null;
    const opts = options || {};
    const button = RS.h('button', { type: 'button', class: 'action' + (opts.danger ? ' danger' : ''), 'data-key': key, 'aria-label': opts.label }, text);
    // aria-disabled rather than disabled while it runs: a disabled button drops the keyboard focus.
    button.addEventListener('click', async () => {
      if (button.getAttribute('aria-disabled') === 'true') return;
      if (opts.confirm && !window.confirm(opts.confirm)) return;
      button.setAttribute('aria-disabled', 'true');
      RS.busy++;
      try {
        RS.say(await run(), false);
      } catch (e) {
        RS.say(e.message, true);
      } finally {
        RS.busy--;
        button.removeAttribute('aria-disabled');
        await RS.refresh(true);
      }
    });
    return button;
  };

  RS.table = function (caption, headers, rows, empty) {
    if (!rows.length) return RS.h('p', { class: 'muted empty' }, empty || 'Nothing here.');
    return RS.h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': caption },
      RS.h('table', {},
        RS.h('caption', { class: 'visually-hidden' }, caption),
        RS.h('thead', {}, RS.h('tr', {}, headers.map((t) => RS.h('th', { scope: 'col' }, t)))),
        RS.h('tbody', {}, rows.map((cells) => RS.h('tr', {}, cells.map((c) => RS.h('td', {}, c)))))));
  };

  RS.section = (title, ...children) => RS.h('section', { class: 'card' }, RS.h('h2', {}, title), children);

  /** Links to pick one task type, the current one marked. */
  RS.typePicker = function (page, types, current, extra) {
    return RS.h('nav', { class: 'tabs', 'aria-label': 'Task types' }, types.map((t) =>
      RS.h('a', { href: RS.link(page, Object.assign({ type: t.name }, extra || {})), 'aria-current': t.name === current ? 'page' : null, 'data-key': page + '-type-' + t.name },
        t.name, t.count === undefined ? null : RS.h('span', { class: 'badge' }, RS.number(t.count)))));
  };

  return RS;
})();
