'use strict';
/*
 * Grid view: re-draws the runs × tasks table from /ui/dags/<id>/grid.json as runs progress (the
 * same table grid.njk serves), collapses task groups and expands mapped tasks to their instances.
 */
(function () {
  var root = document.getElementById('grid');
  if (!root || !window.dagctlLive) return;
  var live = window.dagctlLive;
  var lastText = root.getAttribute('data-grid') || '';
  var grid = JSON.parse(lastText || '{"runs":[],"rows":[]}');
  var selected = root.getAttribute('data-selected-run') || '';
  /** Group paths the user collapsed; kept across re-draws. */
  var collapsed = {};
  /** The mapped cell shown expanded: { taskId, runId, instances } or null. */
  var expanded = null;

  // Same format as the server's `dt` filter: '2026-03-01 12:00:00 UTC'.
  function formatDate(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—';
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function tiHref(runId, taskId, mapIndex) {
    var href = live.tiHref(grid.dagId, runId, taskId);
    return mapIndex === undefined ? href : href + '?map_index=' + mapIndex + '#logs';
  }

  function headerRows() {
    var bars = live.el('tr', { class: 'run-bars' });
    var label = live.el('th', {
      class: 'task-col axis-label',
      title: "Bar height: the run's duration relative to the longest run shown",
    });
    label.appendChild(document.createTextNode('Runs '));
    label.appendChild(live.el('span', { class: 'muted small' }, '(height: duration)'));
    bars.appendChild(label);
    var dates = live.el('tr', { class: 'run-dates' });
    var dateLabel = live.el('th', { class: 'task-col axis-label' }, 'Logical date ');
    dateLabel.appendChild(live.el('span', { class: 'muted small' }, '(UTC)'));
    dates.appendChild(dateLabel);
    grid.runs.forEach(function (run) {
      var th = live.el('th', { class: 'run-col' });
      var box = live.el('div', { class: 'bar-box' });
      var bar = live.el('a', {
        href: '?run_id=' + encodeURIComponent(run.runId),
        'data-run-id': run.runId,
        title: run.tooltip,
      });
      live.setState(bar, 'run-bar' + (run.runId === selected ? ' selected' : ''), run.state);
      bar.style.height = run.barPercent + '%';
      box.appendChild(bar);
      // flags above the bar, so every bar stands on the same baseline
      if (run.lateSeconds) {
        th.appendChild(
          live.el(
            'span',
            {
              class: 'run-flag flag-late',
              title: 'late: started ' + run.lateSeconds + 's after its data interval ended',
            },
            'L',
          ),
        );
      }
      if (run.deadlineMissed) {
        th.appendChild(live.el('span', { class: 'run-flag flag-deadline', title: 'missed its deadline' }, 'D'));
      }
      th.appendChild(box);
      bars.appendChild(th);
      var date = live.el('th', { class: 'run-date', title: formatDate(run.logicalDate) });
      date.appendChild(live.el('span', {}, run.axisLabel));
      dates.appendChild(date);
    });
    var thead = live.el('thead');
    thead.appendChild(bars);
    thead.appendChild(dates);
    return thead;
  }

  function groupRow(row) {
    var tr = live.el('tr', { class: 'group-row', 'data-group': row.id, 'data-parent': row.parent || '' });
    var th = live.el('th', { class: 'task-col depth-' + row.depth, title: 'task group ' + row.id });
    var button = live.el('button', {
      type: 'button',
      class: 'group-toggle',
      'aria-expanded': collapsed[row.id] ? 'false' : 'true',
      'data-group': row.id,
    });
    button.appendChild(live.el('span', { class: 'caret' }, collapsed[row.id] ? '▸' : '▾'));
    button.appendChild(document.createTextNode(' ' + row.label));
    th.appendChild(button);
    tr.appendChild(th);
    grid.runs.forEach(function (run) {
      var group = run.groups[row.id];
      var state = group ? group.state : null;
      var cell = live.el('span', { title: 'group ' + row.id + ' · ' + run.runId + ' · ' + (state || 'no state') });
      live.setState(cell, 'cell group-cell', state);
      var td = live.el('td');
      td.appendChild(cell);
      tr.appendChild(td);
    });
    return tr;
  }

  function taskCell(row, run) {
    var cell = run.cells[row.id];
    var state = cell ? cell.state : null;
    var link;
    if (cell && cell.mapped) {
      link = live.el('a', {
        href: tiHref(run.runId, row.id),
        'data-task-id': row.id,
        'data-run-id': run.runId,
        'data-counts': cell.mapped.text,
        title: row.id + ' · ' + run.runId + ' · ' + cell.mapped.total + ' mapped: ' + cell.mapped.text,
      });
      live.setState(link, 'cell mapped-cell', state);
      Object.keys(cell.mapped.counts).forEach(function (segState) {
        var seg = live.el('i');
        live.setState(seg, 'seg', segState);
        seg.style.flexGrow = String(cell.mapped.counts[segState]);
        link.appendChild(seg);
      });
    } else {
      link = live.el('a', {
        href: tiHref(run.runId, row.id),
        title: row.id + ' · ' + run.runId + ' · ' + (state || 'no state') + (cell && cell.held ? ' · held' : ''),
      });
      live.setState(link, 'cell', state);
    }
    if (cell && cell.held) link.classList.add('held');
    var td = live.el('td');
    td.appendChild(link);
    return td;
  }

  function taskRow(row) {
    var tr = live.el('tr', { class: 'task-row', 'data-task-id': row.id, 'data-parent': row.parent || '' });
    var th = live.el('th', { class: 'task-col depth-' + row.depth, title: row.id }, row.label);
    if (row.mapped) th.appendChild(live.el('span', { class: 'mapped-mark', title: 'mapped task' }, ' [ ]'));
    if (row.setup) th.appendChild(live.el('span', { class: 'role-mark', title: 'setup task' }, ' ↗'));
    if (row.teardown) th.appendChild(live.el('span', { class: 'role-mark', title: 'teardown task' }, ' ↘'));
    tr.appendChild(th);
    grid.runs.forEach(function (run) {
      tr.appendChild(taskCell(row, run));
    });
    return tr;
  }

  /** The instances of the expanded mapped cell, in a row under its task. */
  function mappedRow() {
    var tr = live.el('tr', { class: 'mapped-detail', 'data-task-id': expanded.taskId });
    var td = live.el('td', { colspan: String(grid.runs.length + 1) });
    var title = live.el('div', { class: 'mapped-title' });
    title.appendChild(live.el('b', {}, expanded.taskId));
    title.appendChild(document.createTextNode(' in run ' + expanded.runId + ': '));
    title.appendChild(
      live.el(
        'span',
        { class: 'muted' },
        expanded.instances ? expanded.instances.length + ' task instance(s)' : 'loading…',
      ),
    );
    td.appendChild(title);
    var list = live.el('ul', { class: 'mapped-list' });
    (expanded.instances || []).forEach(function (mi) {
      var li = live.el('li');
      var link = live.el('a', {
        href: tiHref(expanded.runId, expanded.taskId, mi.mapIndex),
        title: 'log of map index ' + mi.mapIndex,
      });
      link.appendChild(document.createTextNode('[' + mi.mapIndex + '] '));
      var badge = live.el('span', {}, mi.state || 'no state');
      live.setState(badge, 'badge', mi.state);
      link.appendChild(badge);
      li.appendChild(link);
      list.appendChild(li);
    });
    td.appendChild(list);
    tr.appendChild(td);
    return tr;
  }

  /** Hide the rows inside a collapsed group (at any depth). */
  function isHidden(row) {
    var parent = row.parent;
    while (parent) {
      if (collapsed[parent]) return true;
      var cut = parent.lastIndexOf('.');
      parent = cut < 0 ? null : parent.slice(0, cut);
    }
    return false;
  }

  function render() {
    var table = live.el('table', { class: 'grid' });
    table.appendChild(headerRows());
    var tbody = live.el('tbody');
    (grid.rows || []).forEach(function (row) {
      var tr = row.kind === 'group' ? groupRow(row) : taskRow(row);
      if (isHidden(row)) tr.hidden = true;
      tbody.appendChild(tr);
      if (expanded && row.kind === 'task' && row.id === expanded.taskId && !tr.hidden) tbody.appendChild(mappedRow());
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

  function loadInstances() {
    var target = expanded;
    var url =
      '/ui/dags/' +
      encodeURIComponent(grid.dagId) +
      '/runs/' +
      encodeURIComponent(target.runId) +
      '/tasks/' +
      encodeURIComponent(target.taskId) +
      '/mapped.json';
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (body) {
        if (body && expanded === target) {
          target.instances = body.instances;
          render();
        }
      })
      .catch(function () {
        /* the row keeps saying loading; the next refresh tries again */
      });
  }

  root.addEventListener('click', function (event) {
    var toggle = event.target.closest('button.group-toggle');
    if (toggle) {
      var path = toggle.getAttribute('data-group');
      collapsed[path] = !collapsed[path];
      render();
      return;
    }
    var mapped = event.target.closest('a.mapped-cell');
    if (mapped) {
      event.preventDefault();
      var taskId = mapped.getAttribute('data-task-id');
      var runId = mapped.getAttribute('data-run-id');
      var same = expanded && expanded.taskId === taskId && expanded.runId === runId;
      expanded = same ? null : { taskId: taskId, runId: runId, instances: null };
      render();
      if (expanded) loadInstances();
    }
  });

  live.poll(root.getAttribute('data-url'), 1500, function (data, text) {
    if (text === lastText) return;
    lastText = text;
    grid = data;
    render();
    if (expanded) loadInstances();
  });
})();
