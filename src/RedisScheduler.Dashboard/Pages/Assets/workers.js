// Live worker instances: what each handles, how many tasks each runs now; and the tasks being processed.
'use strict';
(function (RS) {
  const h = RS.h;

  RS.pages.workers = {
    title: 'Workers',
    async render() {
      const [workers, types] = await Promise.all([RS.get('api/workers'), RS.get('api/types')]);
      const busy = types.items.filter((t) => t.processing > 0);
      const running = (await Promise.all(busy.map((t) => RS.get(`api/tasks?type=${RS.enc(t.type)}&state=processing&count=${RS.pageSize}`)))).flatMap((p) => p.items);
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
        RS.section(`Running now (${running.length})`,
          RS.table('Tasks being processed', ['Task', 'Attempt', 'Due'], running.map((t) => [h('a', { href: RS.link('task', { id: t.id }) }, t.id), t.attempt, RS.when(t.dueAt)]), 'No task is being processed.')),
      ];
    },
  };
})(window.RS);
