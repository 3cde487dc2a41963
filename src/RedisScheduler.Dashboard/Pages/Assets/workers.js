// Live worker instances: what each handles, and the tasks each runs now, as its last heartbeat reported them.
'use strict';
(function (RS) {
  const h = RS.h;

  /** The tasks one instance runs now: links to their task pages; the heartbeat carries at most 50 ids, so a busy instance's are a sample. */
  function running(w) {
    const ids = w.runningTaskIds || [];
    const rows = ids.map((id) => [h('a', { href: RS.link('task', { id }) }, id)]);
    const more = w.runningTasks - ids.length;
    return RS.section(`Running on ${w.machineName} · pid ${w.processId} (${RS.number(w.runningTasks)})`,
      h('p', { class: 'muted' }, h('code', {}, w.instanceId), ', as of its heartbeat ', RS.when(w.lastHeartbeat)),
      RS.table('Tasks running on ' + w.instanceId, ['Task'], rows, 'Nothing running.'),
      more > 0 ? h('p', { class: 'muted', 'data-testid': 'running-not-listed' }, `and ${RS.number(more)} more: a heartbeat lists at most 50 tasks.`) : null);
  }

  RS.pages.workers = {
    title: 'Workers',
    async render() {
      const workers = await RS.get('api/workers');
      const rows = workers.items.map((w) => [
        h('code', {}, w.instanceId),
        w.machineName + ' · pid ' + w.processId,
        w.taskTypes.map((t) => t.taskType + ' ×' + t.concurrency).join(', '),
        h('strong', {}, RS.number(w.runningTasks)),
        (w.heartbeatAgeMs / 1000).toFixed(1) + ' s ago',
        RS.when(w.startedAt),
        w.libraryVersion,
      ]);
      return [
        h('h1', {}, 'Workers'),
        RS.section(`Live instances (${workers.items.length})`,
          RS.table('Live worker instances', ['Instance', 'Host', 'Handles (concurrency)', 'Running now', 'Heartbeat', 'Started', 'Version'], rows, 'No live worker instance: nothing handles tasks right now.')),
        workers.items.filter((w) => w.runningTasks > 0 || (w.runningTaskIds || []).length > 0).map(running),
      ];
    },
  };
})(window.RS);
