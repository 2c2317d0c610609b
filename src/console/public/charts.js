// Draws the console's charts with uPlot from data the server put in data-series attributes.
(function () {
  var lead = document.getElementById('lead-time-chart');
  if (lead && window.uPlot) {
    // Observations over time (x = receipt time, y = days) as points, with the p50 and p90 as horizontal lines.
    var s = JSON.parse(lead.getAttribute('data-series'));
    var points = s.points || [];
    var xs = points.map(function (p) { return p[0]; });
    var ys = points.map(function (p) { return p[1]; });
    var day = 86400;
    var lo = xs.length ? xs[0] - day : Date.now() / 1000 - 30 * day;
    var hi = xs.length ? xs[xs.length - 1] + day : Date.now() / 1000;
    var x = [lo].concat(xs, [hi]);
    var flat = function (v) { return x.map(function () { return v; }); };
    var obs = [null].concat(ys, [null]);
    var top = Math.max.apply(null, ys.concat([s.p90 || 0, s.quoted || 0]));
    var width = Math.min(lead.clientWidth || 600, 720);
    new uPlot(
      {
        width: width,
        height: 220,
        scales: { x: { time: true }, y: { range: [0, top * 1.2 || 1] } },
        axes: [{}, { label: 'days' }],
        series: [
          {},
          { label: 'observed lead time (days)', stroke: '#1f5fa8', width: 0, paths: function () { return null; }, points: { show: true, size: 7, fill: '#1f5fa8' } },
          { label: 'p50', stroke: '#1e7b34', dash: [6, 4], points: { show: false } },
          { label: 'p90', stroke: '#c2571a', dash: [6, 4], points: { show: false } },
        ],
      },
      [x, obs, flat(s.p50), flat(s.p90)],
      lead,
    );
  }
})();

// Line charts from a data-chart attribute: { time, x: [...], series: [{ label, values }], steps, yLabel, y2Label }.
(function () {
  var colors = ['#1f5fa8', '#c2571a', '#1e7b34', '#7a3fa0'];
  var nodes = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < nodes.length; i++) {
    var node = nodes[i];
    if (!window.uPlot) return;
    var spec = JSON.parse(node.getAttribute('data-chart'));
    var width = Math.min(node.clientWidth || 600, 720);
    var series = [{}];
    var data = [spec.x];
    spec.series.forEach(function (s, j) {
      series.push({
        label: s.label,
        stroke: colors[j % colors.length],
        width: 2,
        scale: s.scale || 'y',
        paths: spec.steps ? uPlot.paths.stepped({ align: 1 }) : undefined,
      });
      data.push(s.values);
    });
    var axes = [{}, { label: spec.yLabel || '', scale: 'y' }];
    if (spec.y2Label) axes.push({ label: spec.y2Label, scale: 'y2', side: 1, grid: { show: false } });
    new uPlot({ width: width, height: 240, scales: { x: { time: Boolean(spec.time) } }, series: series, axes: axes }, data, node);
  }
})();
