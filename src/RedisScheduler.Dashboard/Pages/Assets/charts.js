// Small bar charts as SVG, drawn from the API's numbers. No library: a few rectangles scale with the page.
'use strict';
(function (RS) {
  const svgNs = 'http://www.w3.org/2000/svg';
  const Width = 600;
  const Height = 100;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    for (const child of children) if (child) node.append(child);
    return node;
  }

  /**
   * Stacked bars: series = [{ name, cls, values: [n…] }], labels = one per bar (its tooltip).
   * Returns a figure with the chart, the scale and the first and last labels under it.
   */
  RS.bars = function (title, series, labels, options) {
    const opts = options || {};
    const count = labels.length;
    const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
    const max = Math.max(1, ...totals);
    const step = Width / count;
    const gap = count > 30 ? 1 : 2;
    const chart = svg('svg', { viewBox: `0 0 ${Width} ${Height}`, preserveAspectRatio: 'none', class: 'chart', role: 'img', 'aria-label': title + ': ' + opts.summary });
    chart.append(svg('line', { x1: 0, y1: Height - 0.5, x2: Width, y2: Height - 0.5, class: 'axis' }));
    labels.forEach((label, i) => {
      let base = Height;
      const tip = [label].concat(series.map((s) => s.name + ': ' + RS.number(s.values[i] || 0) + (opts.unit || ''))).join('\n');
      for (const s of series) {
        const value = s.values[i] || 0;
        if (value <= 0) continue;
        const h = Math.max(1, (value / max) * (Height - 4));
        base -= h;
        chart.append(svg('rect', { x: i * step + gap / 2, y: base, width: Math.max(1, step - gap), height: h, class: 'bar ' + s.cls }, svg('title', {}, document.createTextNode(tip))));
      }
    });
    const legend = series.length > 1 || opts.legend
      ? RS.h('ul', { class: 'legend' }, series.map((s) => RS.h('li', {}, RS.h('span', { class: 'swatch ' + s.cls, 'aria-hidden': 'true' }), s.name)))
      : null;
    return RS.h('figure', { class: 'figure' },
      RS.h('figcaption', {}, title, RS.h('span', { class: 'muted' }, ' · ' + opts.summary + ' · peak ' + RS.number(Math.max(...totals)) + (opts.unit || ''))),
      chart,
      RS.h('div', { class: 'axis-labels', 'aria-hidden': 'true' }, RS.h('span', {}, labels[0]), RS.h('span', {}, labels[count - 1])),
      legend);
  };

  RS.noData = (text) => RS.h('p', { class: 'no-data muted' }, text || 'No data yet.');

  /** "14:05" for an ISO time, in this browser's time zone. */
  RS.clock = (date) => new Date(date).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
})(window.RS);
