// Draws the console's charts with uPlot from data the server put in data-series attributes.
(function () {
  var lead = document.getElementById('lead-time-chart');
  if (lead && window.uPlot) {
    var s = JSON.parse(lead.getAttribute('data-series'));
    var labels = ['quoted', 'mean', 'p50', 'p90'];
    var days = [s.quoted, s.mean, s.p50, s.p90];
    var width = Math.min(lead.clientWidth || 600, 720);
    new uPlot(
      {
        width: width,
        height: 220,
        scales: { x: { time: false, range: [0.5, 4.5] }, y: { range: [0, Math.max.apply(null, days) * 1.2 || 1] } },
        axes: [
          { values: function (u, ticks) { return ticks.map(function (t) { return labels[t - 1] || ''; }); }, splits: function () { return [1, 2, 3, 4]; } },
          { label: 'days' },
        ],
        series: [{}, { label: 'lead time (days)', stroke: '#1f5fa8', fill: 'rgba(31,95,168,0.35)', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
        legend: { show: false },
      },
      [[1, 2, 3, 4], days],
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
