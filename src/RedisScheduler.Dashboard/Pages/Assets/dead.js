// Dead letters per type: requeue or delete one, requeue or delete all of a type.
'use strict';
(function (RS) {
  const h = RS.h;

  // The API deletes one dead letter at a time: "delete all" deletes page after page until none is left
  // (or a round removes nothing, so a letter that cannot be deleted cannot loop this forever).
  async function deleteAll(type) {
    let deleted = 0;
    for (;;) {
      const page = await RS.get(`api/dead-letters/${RS.enc(type)}?offset=0&count=500`);
      if (!page.items.length) break;
      let round = 0;
      for (const letter of page.items) {
        try {
          await RS.del('api/dead-letters/' + RS.idPath(letter.id));
          round++;
        } catch (e) {
          if (e.status !== 404) throw e;
        }
      }
      deleted += round;
      if (round === 0) break;
    }
    return `Deleted ${deleted} dead letters of ${type}.`;
  }

  RS.pages.dead = {
    title: 'Dead letters',
    async render(params) {
      const types = (await RS.get('api/types')).items;
      const withDead = types.filter((t) => t.dead > 0);
      const type = params.get('type') || (withDead[0] || types[0] || {}).type;
      const head = [h('h1', {}, 'Dead letters'), RS.typePicker('dead', types.map((t) => ({ name: t.type, count: t.dead })), type)];
      if (!type) return head.concat(RS.noData('No task types yet.'));
      const offset = Math.max(0, Number(params.get('offset')) || 0);
      const page = await RS.get(`api/dead-letters/${RS.enc(type)}?offset=${offset}&count=${RS.pageSize}`);
      const count = (types.find((t) => t.type === type) || {}).dead || 0;
      const rows = page.items.map((d) => [
        h('a', { href: RS.link('task', { id: d.id }) }, d.id),
        d.attempt,
        RS.when(d.deadLetteredAt),
        d.error ? h('span', { title: d.error.exceptionType }, d.error.message) : '',
        h('span', { class: 'actions' },
          RS.button('Requeue', 'requeue-' + d.id, async () => { await RS.post('api/dead-letters/' + RS.idPath(d.id) + '/requeue'); return 'Requeued ' + d.id + '.'; }, { label: 'Requeue ' + d.id }),
          RS.button('Delete', 'delete-' + d.id, async () => { await RS.del('api/dead-letters/' + RS.idPath(d.id)); return 'Deleted ' + d.id + '.'; }, { label: 'Delete ' + d.id, danger: true, confirm: 'Delete dead letter ' + d.id + '?' })),
      ]);
      const all = count > 0 ? h('div', { class: 'actions' },
        RS.button(`Requeue all (${RS.number(count)})`, 'requeue-all', async () => {
          const answer = await RS.post(`api/dead-letters/${RS.enc(type)}/requeue-all`);
          return `Requeued ${answer.requeued} dead letters of ${type}.`;
        }, { confirm: `Requeue all ${count} dead letters of ${type}?` }),
        RS.button(`Delete all (${RS.number(count)})`, 'delete-all', () => deleteAll(type), { danger: true, confirm: `Delete all ${count} dead letters of ${type}? This cannot be undone.` })) : null;
      const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
        offset > 0 ? h('a', { href: RS.link('dead', { type, offset: Math.max(0, offset - RS.pageSize) }) }, '← Previous') : null,
        page.items.length === RS.pageSize ? h('a', { href: RS.link('dead', { type, offset: offset + RS.pageSize }) }, 'Next →') : null);
      return head.concat(RS.section(type, all,
        RS.table('Dead letters of ' + type, ['Task', 'Attempts', 'Dead since', 'Error', RS.readOnly ? '' : 'Actions'], rows, 'No dead letters.'), pager));
    },
  };
})(window.RS);
