// The simulator page while its background job runs: ask every three seconds whether the job
// has finished and only then load the page again with its figures. Reloading the page itself
// every three seconds took the keyboard's focus and a screen reader back to the top of the
// page each time, and undid whatever was being typed in the form.
(function () {
  if (!document.querySelector('[data-running]')) { return; }
  function look() {
    fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) {
        if (html.indexOf('data-running=') === -1) { window.location.reload(); return; }
        window.setTimeout(look, 3000);
      })
      .catch(function () { window.setTimeout(look, 3000); });
  }
  window.setTimeout(look, 3000);
})();
