'use strict';
/* Graph view: recolours the nodes from /ui/dags/<id>/states.json while the run progresses. */
(function () {
  var svg = document.getElementById('graph');
  if (!svg || !window.dagctlLive) return;
  var live = window.dagctlLive;
  var dagId = svg.getAttribute('data-dag-id');
  var followLatest = svg.getAttribute('data-follow-latest') === 'true';
  // Most urgent first, as the server's aggregateState (aggregate-state.ts): a group shows its
  // worst member.
  var PRIORITY = [
    'failed',
    'upstream_failed',
    'up_for_retry',
    'up_for_reschedule',
    'restarting',
    'running',
    'queued',
    'scheduled',
    'removed',
    'skipped',
    'success',
  ];

  function aggregate(states) {
    var some = states.filter(function (s) {
      return !!s;
    });
    if (some.length === 0) return null;
    var best = some.reduce(function (worst, s) {
      return PRIORITY.indexOf(s) < PRIORITY.indexOf(worst) ? s : worst;
    });
    // Some task not started while the others are done: still in progress.
    if (some.length < states.length && PRIORITY.indexOf(best) >= PRIORITY.indexOf('removed')) return 'scheduled';
    return best;
  }

  var lastText = '';
  live.poll(svg.getAttribute('data-url'), 1500, function (data, text) {
    if (text === lastText || !data.runId) return;
    lastText = text;
    Array.prototype.forEach.call(svg.querySelectorAll('g.node'), function (node) {
      var ids = JSON.parse(node.getAttribute('data-task-ids') || '[]');
      var state = aggregate(
        ids.map(function (id) {
          return data.tasks[id] || null;
        }),
      );
      var kind =
        node
          .getAttribute('class')
          .split(' ')
          .filter(function (c) {
            return c.indexOf('kind-') === 0;
          })[0] || 'kind-task';
      live.setState(node, 'node ' + kind, state);
      // Following the latest run: task boxes link to that run's task instances.
      if (followLatest && kind === 'kind-task' && node.parentNode && node.parentNode.tagName.toLowerCase() === 'a') {
        node.parentNode.setAttribute('href', live.tiHref(dagId, data.runId, ids[0]));
      }
    });
    var badge = document.getElementById('run-state');
    if (badge && data.state) {
      badge.textContent = data.state;
      live.setState(badge, 'badge', data.state);
    }
  });
})();
