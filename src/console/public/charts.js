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
