'use strict';
/*
 * JSON-aware text boxes: a textarea with data-json-editor="always" (connection extra) or
 * data-json-editor="<checkbox id>" (variable value, checked by its "JSON" box or when the text
 * starts with { or [) says live whether its text parses. The server checks again on save.
 */
(function () {
  function wantsJson(box) {
    var mode = box.getAttribute('data-json-editor');
    if (mode === 'always') return box.value.trim() !== '';
    var tick = document.getElementById(mode);
    return (tick && tick.checked) || /^\s*[[{]/.test(box.value);
  }
  function check(box) {
    var status = box.parentNode.querySelector('.json-status');
    if (!status) return;
    if (!wantsJson(box)) {
      status.textContent = '';
      status.className = 'json-status small';
      box.classList.remove('invalid');
      return;
    }
    try {
      JSON.parse(box.value);
      status.textContent = 'valid JSON';
      status.className = 'json-status small ok';
      box.classList.remove('invalid');
    } catch (err) {
      status.textContent = 'not valid JSON: ' + err.message;
      status.className = 'json-status small bad';
      box.classList.add('invalid');
    }
  }
  var boxes = document.querySelectorAll('textarea[data-json-editor]');
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener('input', function () {
      check(box);
    });
    var mode = box.getAttribute('data-json-editor');
    var tick = mode === 'always' ? null : document.getElementById(mode);
    if (tick)
      tick.addEventListener('change', function () {
        check(box);
      });
    check(box);
  });
})();
