// The router (#/page?params) and live refresh: pages are redrawn in place, never reloaded.
'use strict';
(function (RS) {
  const main = document.getElementById('main');
  const live = document.getElementById('live');
  let generation = 0;
  let current = '';

  function route() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [name, query] = hash.split('?');
    const page = RS.pages[name || 'overview'] ? name || 'overview' : 'overview';
    return { page, params: new URLSearchParams(query || '') };
  }

  // Draws the page for the current address. A refresh keeps the DOM when nothing changed, and otherwise
  // gives the focus back to the same control (data-key), so a keyboard user is not thrown to the top.
  RS.refresh = async function (isRefresh) {
    const { page, params } = route();
    const mine = ++generation;
    let content;
    try {
      content = await RS.pages[page].render(params);
    } catch (e) {
      content = [RS.h('h1', {}, RS.pages[page].title), RS.h('p', { class: 'status error', role: 'alert' }, 'Could not load this page: ' + e.message)];
    }
    if (mine !== generation) return; // a newer draw (navigation) won
    const next = RS.h('div', { class: 'page', 'data-page': page }, content);
    const old = main.firstElementChild;
    const address = location.hash;
    const focusKey = isRefresh && document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : null;
    const opened = isRefresh ? [...main.querySelectorAll('details[open][data-key]')].map((d) => d.dataset.key) : [];
    for (const key of opened) {
      const again = next.querySelector(`details[data-key="${CSS.escape(key)}"]`);
      if (again) again.open = true;
    }
    if (isRefresh && old && address === current && old.outerHTML === next.outerHTML) return;
    main.replaceChildren(next);
    main.dataset.page = page;
    main.dataset.draws = String(Number(main.dataset.draws || 0) + 1);
    document.title = RS.pages[page].title + ' · RedisScheduler';
    for (const a of document.querySelectorAll('.top nav a')) a.setAttribute('aria-current', a.dataset.page === page || (page === 'task' && a.dataset.page === 'tasks') ? 'page' : 'false');
    if (focusKey) {
      const again = main.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
      if (again) again.focus();
    } else if (!isRefresh && current) {
      main.focus(); // after navigation, start reading at the new page
    }
    current = address;
  };

  // Not while the user types in a field or an action is under way: a redraw would lose what they typed.
  function tick() {
    const active = document.activeElement;
    if (document.hidden || RS.busy > 0 || (active && active.matches('input, select, textarea'))) return;
    RS.refresh(true);
  }

  window.addEventListener('hashchange', () => { RS.say(''); RS.refresh(false); });
  document.getElementById('status').className = 'status';
  if (RS.refreshMs > 0) {
    live.textContent = 'Live · every ' + (RS.refreshMs / 1000) + ' s';
    setInterval(tick, RS.refreshMs);
  } else {
    live.textContent = 'Live refresh off';
  }
  if (RS.readOnly) live.textContent += ' · read-only';
  RS.refresh(false);
})(window.RS);
