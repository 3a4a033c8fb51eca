'use strict';
/*
 * Shared by the live views: poll a JSON endpoint while the page is visible, stop while hidden.
 * Data from the server is only ever put in the page with textContent / setAttribute.
 */
window.dagctlLive = {
  /** Calls onData(json, text) every intervalMs while the tab is visible; returns a stop function. */
  poll: function (url, intervalMs, onData) {
    var timer = null;
    var stopped = false;
    function tick() {
      if (stopped || document.hidden) return;
      fetch(typeof url === 'function' ? url() : url, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      })
        .then(function (res) {
          var type = res.headers.get('content-type') || '';
          // A redirect to /login (session expired) or an error page: stop quietly.
          if (!res.ok || type.indexOf('application/json') < 0) {
            stopped = true;
            return null;
          }
          return res.text();
        })
        .then(function (text) {
          if (text !== null && !stopped) onData(JSON.parse(text), text);
        })
        .catch(function () {
          /* network blip: try again next tick */
        })
        .then(function () {
          schedule();
        });
    }
    function schedule() {
      clearTimeout(timer);
      if (!stopped && !document.hidden) timer = setTimeout(tick, intervalMs);
    }
    document.addEventListener('visibilitychange', function () {
      if (document.hidden) clearTimeout(timer);
      else schedule();
    });
    schedule();
    return function stop() {
      stopped = true;
      clearTimeout(timer);
    };
  },
  el: function (tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  },
  tiHref: function (dagId, runId, taskId) {
    return (
      '/dags/' +
      encodeURIComponent(dagId) +
      '/runs/' +
      encodeURIComponent(runId) +
      '/tasks/' +
      encodeURIComponent(taskId)
    );
  },
  setState: function (node, prefixClass, state) {
    node.setAttribute('class', prefixClass + ' state-' + (state || 'none'));
  },
};
