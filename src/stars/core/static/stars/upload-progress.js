// An upload's page while its job runs: ask for its progress every two seconds, move the bar,
// and show the outcome once it is done. Without JavaScript, the "Check now" link reloads it.
(function () {
  var box = document.querySelector('[data-upload-status]');
  if (!box) { return; }
  var bar = document.getElementById('upload-bar');
  var stage = document.getElementById('upload-stage');
  var percent = document.getElementById('upload-percent');
  function look() {
    fetch(box.getAttribute('data-upload-status'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (r.status === 503) { // the database busy with an import: the next look may answer
          percent.textContent = 'The import is still running. This page will update.';
        }
        return r.ok ? r.json() : null;
      })
      .then(function (s) {
        if (!s) { return; }
        // this check moved the session's expiry forward: the warning before sign-out hears it
        document.dispatchEvent(new CustomEvent('stars:session-alive', { detail: s.seconds_left }));
        if (s.finished) { window.location.reload(); return; }
        bar.value = s.percent;
        bar.textContent = s.percent + '%';
        stage.textContent = s.stage + (s.total ? ': ' + s.done + ' of ' + s.total : '');
        percent.textContent = s.percent + '% done';
      })
      .catch(function () {})
      .then(function () { window.setTimeout(look, 2000); });
  }
  window.setTimeout(look, 500);
})();
