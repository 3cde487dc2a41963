// Overview: per task type, counts per state, the last hour's throughput and lateness, and the live workers.
'use strict';
(function (RS) {
  const h = RS.h;
  const States = [
    ['scheduled', 'Scheduled'], ['ready', 'Ready'], ['processing', 'Processing'], ['failed', 'Failed'],
    ['waiting', 'Waiting'], ['dead', 'Dead'], ['succeeded', 'Succeeded'],
  ];
  RS.states = States;

  function countLink(type, state, count) {
    const href = state === 'dead' ? RS.link('dead', { type }) : RS.link('tasks', { type, state });
    return h('a', { href, 'aria-label': `${RS.number(count)} ${state} ${type} tasks` }, RS.number(count));
  }

  // The stats endpoint's contract: { now, types: [{ type, minutes: [{ minute, succeeded, failed, latenessAvgMs, latenessMaxMs }] }] }, 60 minutes, oldest first.
  function lastHour(typeStats) {
    const minutes = typeStats.minutes || [];
    const labels = minutes.map((m) => RS.clock(m.minute));
    const sum = (f) => minutes.reduce((s, m) => s + (m[f] || 0), 0);
    const late = minutes.filter((m) => m.latenessMaxMs !== null && m.latenessMaxMs !== undefined);
    const worst = late.length ? Math.max(...late.map((m) => m.latenessMaxMs)) : null;
    // The hour's mean lateness: each minute's mean weighted by the tasks that finished in it.
    const weight = (m) => (m.succeeded || 0) + (m.failed || 0);
    const weights = late.reduce((s, m) => s + weight(m), 0);
    const mean = weights > 0 ? Math.round(late.reduce((s, m) => s + (m.latenessAvgMs || 0) * weight(m), 0) / weights) : null;
    return h('div', { class: 'charts' },
      RS.bars('Finished per minute', [
        { name: 'Succeeded', cls: 'ok', values: minutes.map((m) => m.succeeded) },
        { name: 'Failed', cls: 'bad', values: minutes.map((m) => m.failed) },
      ], labels, { summary: `${sum('succeeded')} succeeded and ${sum('failed')} failed in the last hour` }),
      RS.bars('Lateness per minute (max)', [
        { name: 'Max lateness', cls: 'late', values: minutes.map((m) => m.latenessMaxMs || 0) },
      ], labels, { unit: ' ms', summary: worst === null ? 'no tasks ran' : `mean ${mean} ms, worst ${worst} ms`, legend: false }));
  }

  RS.pages.overview = {
    title: 'Overview',
    async render() {
      const [health, stats] = await Promise.all([RS.get('api/health'), RS.getOptional('api/stats')]);
      const byType = new Map(((stats && stats.types) || []).map((t) => [t.type, t]));
      const rows = health.types.map((t) => [h('a', { href: RS.link('tasks', { type: t.type }) }, t.type)]
        .concat(States.map(([key]) => countLink(t.type, key, t[key]))));
      return [
        h('h1', {}, 'Overview'),
        h('ul', { class: 'facts' },
          h('li', {}, 'Redis ', h('strong', {}, health.redis)),
          h('li', {}, h('a', { href: RS.link('workers') }, h('strong', { 'data-testid': 'live-workers' }, RS.number(health.liveWorkers)), ' live workers')),
          h('li', {}, 'Checked ', RS.when(health.checkedAt))),
        RS.section('Tasks per state', RS.table('Tasks per type and state', ['Type'].concat(States.map((s) => s[1])), rows, 'No task types yet.')),
        stats
          ? health.types.map((t) => RS.section('Last hour · ' + t.type, byType.has(t.type) ? lastHour(byType.get(t.type)) : RS.noData('Nothing finished in the last hour.')))
          : RS.section('Last hour', RS.noData('No throughput data yet: this server does not keep per-minute statistics.')),
      ];
    },
  };
})(window.RS);
