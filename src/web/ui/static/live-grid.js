'use strict';
/* Grid view: re-draws the runs × tasks table from /ui/dags/<id>/grid.json as runs progress. */
(function () {
  var root = document.getElementById('grid');
  if (!root || !window.dagctlLive) return;
  var live = window.dagctlLive;
  var lastText = root.getAttribute('data-grid') || '';
  var selected = root.getAttribute('data-selected-run') || '';

  // Same format as the server's `dt` filter: '2026-03-01 12:00:00 UTC'.
  function formatDate(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—';
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function render(grid) {
    var table = live.el('table', { class: 'grid' });
    var head = live.el('tr');
    head.appendChild(live.el('th', { class: 'task-col' }, 'Task'));
    grid.runs.forEach(function (run) {
      var th = live.el('th', { class: 'run-col' });
      var bar = live.el('a', {
        href: '?run_id=' + encodeURIComponent(run.runId),
        title: run.runId + ' · ' + run.state,
      });
      live.setState(bar, 'run-bar' + (run.runId === selected ? ' selected' : ''), run.state);
      th.appendChild(bar);
      head.appendChild(th);
    });
    var thead = live.el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = live.el('tbody');
    grid.tasks.forEach(function (task) {
      var row = live.el('tr');
      var name = live.el('th', { class: 'task-col', title: task.taskId });
      if (task.taskGroup) name.appendChild(live.el('span', { class: 'muted' }, task.taskGroup + '.'));
      name.appendChild(document.createTextNode(task.taskId));
      row.appendChild(name);
      grid.runs.forEach(function (run) {
        var cell = run.cells[task.taskId];
        var state = cell ? cell.state : null;
        var td = live.el('td');
        var link = live.el('a', {
          href: live.tiHref(grid.dagId, run.runId, task.taskId),
          title: task.taskId + ' · ' + run.runId + ' · ' + (state || 'no state') + (cell && cell.held ? ' · held' : ''),
        });
        live.setState(link, 'cell', state);
        if (cell && cell.held) link.classList.add('held');
        td.appendChild(link);
        row.appendChild(td);
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    var old = root.querySelector('table.grid');
    root.replaceChild(table, old);
    var empty = root.querySelector('.empty');
    if (empty && grid.runs.length) empty.remove();

    var badge = document.getElementById('run-state');
    var current = grid.runs.filter(function (run) {
      return run.runId === selected;
    })[0];
    if (badge && current) {
      badge.textContent = current.state;
      live.setState(badge, 'badge', current.state);
      setText('run-start', formatDate(current.startDate));
      setText('run-end', formatDate(current.endDate));
    }
  }

  live.poll(root.getAttribute('data-url'), 1500, function (grid, text) {
    if (text === lastText) return;
    lastText = text;
    render(grid);
  });
})();
