// A refused form puts the keyboard (and screen readers) on its first field in error.
(function () {
  var invalid = document.querySelector('main [aria-invalid=true]');
  if (invalid) invalid.focus();
})();
