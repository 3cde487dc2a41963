// Task lists per state (paged), search by exact task id or once-key, and one task's page with its actions.
'use strict';
(function (RS) {
  const h = RS.h;

  function taskLink(id) {
    return h('a', { href: RS.link('task', { id }) }, id);
  }

  function searchForm(types, type, state, q) {
    const form = h('form', { class: 'search', role: 'search' },
      h('label', { for: 'task-type' }, 'Type'),
      h('select', { id: 'task-type', name: 'type' }, types.map((t) => h('option', { value: t.type, selected: t.type === type }, t.type))),
      h('label', { for: 'task-query' }, 'Task id or once-key'),
      h('input', { id: 'task-query', name: 'q', type: 'search', value: q || '', placeholder: 'invoice/… or a once-key', autocomplete: 'off' }),
      h('button', { type: 'submit' }, 'Search'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      RS.go('tasks', { type: form.elements.type.value, state: form.elements.q.value ? null : state, q: form.elements.q.value.trim() });
    });
    form.elements.type.addEventListener('change', () => RS.go('tasks', { type: form.elements.type.value, state }));
    return form;
  }

  function rowsOf(items, state) {
    if (state === 'succeeded') return items.map((t) => [taskLink(t.id), RS.when(t.succeededAt)]);
    return items.map((t) => [taskLink(t.id), t.state, t.attempt, RS.when(t.dueAt), t.lastError ? t.lastError.message : '']);
  }

  RS.pages.tasks = {
    title: 'Tasks',
    async render(params) {
      const types = (await RS.get('api/types')).items;
      if (!types.length) return [h('h1', {}, 'Tasks'), RS.noData('No task types yet.')];
      const type = params.get('type') || types[0].type;
      const state = params.get('state') || 'scheduled';
      const q = params.get('q');
      const offset = Math.max(0, Number(params.get('offset')) || 0);
      const counts = types.find((t) => t.type === type) || {};
      const head = [h('h1', {}, 'Tasks · ', type), searchForm(types, type, state, q)];
      if (q) {
        const found = await RS.get(q.includes('/') ? 'api/tasks?id=' + RS.enc(q) : `api/tasks?type=${RS.enc(type)}&key=${RS.enc(q)}`);
        return head.concat(RS.section('Search: ' + q, RS.table('Search results', ['Task', 'State', 'Attempt', 'Due', 'Last error'], rowsOf(found.items), 'No pending task has that id or once-key.')));
      }
      const page = await RS.get(`api/tasks?type=${RS.enc(type)}&state=${RS.enc(state)}&offset=${offset}&count=${RS.pageSize}`);
      const tabs = h('nav', { class: 'tabs', 'aria-label': 'States' }, RS.states.map(([key, name]) => key === 'dead'
        ? h('a', { href: RS.link('dead', { type }) }, name, h('span', { class: 'badge' }, RS.number(counts[key])))
        : h('a', { href: RS.link('tasks', { type, state: key }), 'aria-current': key === state ? 'page' : null }, name, h('span', { class: 'badge' }, RS.number(counts[key])))));
      const total = counts[state];
      const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
        offset > 0 ? h('a', { href: RS.link('tasks', { type, state, offset: Math.max(0, offset - RS.pageSize) }), rel: 'prev' }, '← Previous') : null,
        h('span', { class: 'muted' }, page.items.length ? `${offset + 1}–${offset + page.items.length}` + (total !== undefined ? ` of ${RS.number(total)}` : '') : ''),
        page.items.length === RS.pageSize ? h('a', { href: RS.link('tasks', { type, state, offset: offset + RS.pageSize }), rel: 'next' }, 'Next →') : null);
      const headers = state === 'succeeded' ? ['Task', 'Succeeded'] : ['Task', 'State', 'Attempt', 'Due', 'Last error'];
      return head.concat(tabs, RS.section(RS.states.find((s) => s[0] === state)[1], RS.table(state + ' tasks', headers, rowsOf(page.items, state), 'No ' + state + ' tasks.'), pager));
    },
  };

  function taskActions(task) {
    const path = 'api/tasks/' + RS.idPath(task.id);
    if (task.state === 'dead') {
      const dead = 'api/dead-letters/' + RS.idPath(task.id);
      return [
        RS.button('Requeue', 'task-requeue', async () => { await RS.post(dead + '/requeue'); return 'Requeued ' + task.id + '.'; }),
        RS.button('Delete', 'task-delete', async () => { await RS.del(dead); return 'Deleted ' + task.id + '.'; }, { danger: true, confirm: 'Delete dead letter ' + task.id + '?' }),
      ];
    }
    if (task.state === 'processing') return [];
    const when = h('input', { id: 'reschedule-at', type: 'datetime-local', step: 1 });
    const reschedule = RS.button('Reschedule', 'task-reschedule', async () => {
      if (!when.value) throw new Error('Pick the new due time first.');
      await RS.post(path + '/reschedule', { dueAt: new Date(when.value).toISOString() });
      return 'Rescheduled ' + task.id + '.';
    });
    return [
      RS.button('Run now', 'task-run-now', async () => { await RS.post(path + '/run-now'); return task.id + ' runs now.'; }),
      RS.button('Cancel', 'task-cancel', async () => { await RS.del(path); return 'Cancelled ' + task.id + '.'; }, { danger: true, confirm: 'Cancel task ' + task.id + '?' }),
      reschedule ? h('span', { class: 'inline' }, h('label', { for: 'reschedule-at' }, 'New due time'), when, reschedule) : null,
    ];
  }

  RS.pages.task = {
    title: 'Task',
    async render(params) {
      const id = params.get('id') || '';
      let task;
      try {
        task = await RS.get('api/tasks/' + RS.idPath(id));
      } catch (e) {
        if (e.status !== 404 && e.status !== 400) throw e;
        return [h('h1', {}, 'Task ', id), h('p', { class: 'no-data' }, e.message)];
      }
      const row = (name, value) => [h('dt', {}, name), h('dd', {}, value)];
      const batch = task.batch ? `${task.batch.batchId}: ${task.batch.succeeded} succeeded, ${task.batch.failed} failed, ${task.batch.pending} pending of ${task.batch.total}` : null;
      return [
        h('h1', {}, 'Task ', h('code', {}, task.id)),
        h('div', { class: 'actions' }, taskActions(task)),
        RS.section('Details', h('dl', { class: 'details' },
          row('Type', h('a', { href: RS.link('tasks', { type: task.taskType }) }, task.taskType)),
          row('State', task.state), row('Attempt', task.attempt),
          row('Scheduled', RS.when(task.scheduledAt)), row('Due', RS.when(task.dueAt)),
          task.lastError ? row('Last error', RS.error(task.lastError)) : null,
          batch ? row('Batch', batch) : null)),
        RS.section('Payload', task.payload === undefined ? h('p', { class: 'muted' }, 'Hidden (ShowPayloads is off).') : RS.json(task.payload)),
      ];
    },
  };
})(window.RS);
