'use strict';
/* Task instance page: appends new log output of a running attempt (polling /ui/logs from an offset). */
(function () {
  var pre = document.getElementById('log');
  if (!pre || pre.getAttribute('data-live') !== 'true' || !window.dagctlLive) return;
  var live = window.dagctlLive;
  var status = document.getElementById('log-status');
  var offset = Number(pre.getAttribute('data-offset') || '0');
  var base = pre.getAttribute('data-url');
  var stop = live.poll(
    function () {
      return base + '&offset=' + offset;
    },
    1500,
    function (chunk) {
      var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 24;
      if (chunk.content) {
        pre.appendChild(document.createTextNode(chunk.content));
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
      offset = chunk.offset;
      pre.setAttribute('data-offset', String(offset));
      if (!chunk.more) {
        stop();
        pre.setAttribute('data-live', 'false');
        if (status) status.textContent = chunk.state ? 'finished: ' + chunk.state : '';
      }
    },
  );
})();
