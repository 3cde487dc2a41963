// The due-time timeline: how many tasks fall due in each minute of the next hour and each hour of the next day.
'use strict';
(function (RS) {
  const h = RS.h;

  // The timeline endpoint's contract: { now, types: [{ type, minutes: [60 counts from the current minute],
  // hours: [24 counts from the current hour] }] }, times by the Redis server's clock; ?type= filters.
  function charts(now, t) {
    const start = new Date(now);
    start.setUTCSeconds(0, 0);
    const minuteLabels = t.minutes.map((_, i) => RS.clock(start.getTime() + i * 60000));
    const hour = new Date(start);
    hour.setUTCMinutes(0);
    const hourLabels = t.hours.map((_, i) => RS.clock(hour.getTime() + i * 3600000));
    const sum = (a) => a.reduce((s, n) => s + n, 0);
    return RS.section(t.type, h('div', { class: 'charts' },
      RS.bars('Due per minute, next hour', [{ name: 'Due', cls: 'due', values: t.minutes }], minuteLabels, { summary: sum(t.minutes) + ' tasks due in the next hour' }),
      RS.bars('Due per hour, next day', [{ name: 'Due', cls: 'due', values: t.hours }], hourLabels, { summary: sum(t.hours) + ' tasks due in the next 24 hours' })));
  }

  RS.pages.timeline = {
    title: 'Timeline',
    async render(params) {
      const type = params.get('type');
      const [timeline, types] = await Promise.all([RS.getOptional('api/timeline' + (type ? '?type=' + RS.enc(type) : '')), RS.get('api/types')]);
      const head = [
        h('h1', {}, 'Due-time timeline'),
        h('nav', { class: 'tabs', 'aria-label': 'Task types' },
          h('a', { href: RS.link('timeline'), 'aria-current': type ? null : 'page' }, 'All types'),
          types.items.map((t) => h('a', { href: RS.link('timeline', { type: t.type }), 'aria-current': t.type === type ? 'page' : null }, t.type))),
      ];
      if (!timeline) return head.concat(RS.noData('No data yet: this server does not keep a due-time timeline.'));
      if (!timeline.types.length) return head.concat(RS.noData('No data yet: nothing is scheduled.'));
      return head.concat(h('p', { class: 'muted' }, 'By the Redis server clock, from ', RS.time(timeline.now), '.'), timeline.types.map((t) => charts(timeline.now, t)));
    },
  };
})(window.RS);
