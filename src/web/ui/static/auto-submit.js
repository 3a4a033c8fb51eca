'use strict';
/* Selects marked .auto-submit submit their form on change (the Show button stays for no-JS use). */
document.addEventListener('change', function (event) {
  var target = event.target;
  if (target && target.classList && target.classList.contains('auto-submit') && target.form) target.form.submit();
});
