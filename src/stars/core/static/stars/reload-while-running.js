// The simulator page while its background job runs: look again every three seconds.
if (document.querySelector('[data-running]')) {
  window.setTimeout(function () { window.location.reload(); }, 3000);
}
