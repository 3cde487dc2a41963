// Recurring schedules of every type: next occurrence, paused or not; trigger now, pause, resume.
'use strict';
(function (RS) {
  const h = RS.h;

  function scheduleText(r) {
    return r.cronExpression ? h('code', {}, r.cronExpression, r.timeZoneId && r.timeZoneId !== 'UTC' ? ' (' + r.timeZoneId + ')' : '') : 'every ' + r.interval;
  }

  RS.pages.recurring = {
    title: 'Recurring',
    async render() {
      const types = (await RS.get('api/types')).items;
      const lists = await Promise.all(types.map((t) => RS.get('api/recurring/' + RS.enc(t.type))));
      const schedules = lists.flatMap((l) => l.items);
      const rows = schedules.map((r) => {
        const path = `api/recurring/${RS.enc(r.taskType)}/${RS.enc(r.name)}`;
        const key = r.taskType + '-' + r.name;
        return [
          r.name, r.taskType, scheduleText(r),
          r.isPaused ? h('span', { class: 'muted' }, '–') : RS.when(r.nextOccurrence),
          h('span', { class: r.isPaused ? 'pill paused' : 'pill active' }, r.isPaused ? 'Paused' : 'Active'),
          h('span', { class: 'actions' },
            RS.button('Trigger now', 'trigger-' + key, async () => {
              const answer = await RS.post(path + '/trigger');
              return `Triggered ${r.name}: task ${answer.id}.`;
            }, { label: 'Trigger ' + r.name + ' now' }),
            r.isPaused
              ? RS.button('Resume', 'pause-' + key, async () => { await RS.post(path + '/resume'); return 'Resumed ' + r.name + '.'; }, { label: 'Resume ' + r.name })
              : RS.button('Pause', 'pause-' + key, async () => { await RS.post(path + '/pause'); return 'Paused ' + r.name + '.'; }, { label: 'Pause ' + r.name })),
        ];
      });
      return [
        h('h1', {}, 'Recurring schedules'),
        RS.section('Schedules', RS.table('Recurring schedules', ['Name', 'Type', 'Schedule', 'Next', 'Status', RS.readOnly ? '' : 'Actions'], rows, 'No recurring schedules.')),
      ];
    },
  };
})(window.RS);
