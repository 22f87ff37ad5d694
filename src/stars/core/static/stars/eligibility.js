// Shows, as the SPOC types, whether the child is eligible for the cohort under the rule in
// force on the enquiry date (the same rule the server applies when the form is sent).
(function () {
  var box = document.getElementById('eligibility-live');
  if (!box) { return; }
  var fields = ['id_cohort', 'id_date_of_birth', 'id_enquiry_date'].map(function (id) {
    return document.getElementById(id);
  });
  function check() {
    var cohort = fields[0].value, dob = fields[1].value, on = fields[2].value;
    if (!cohort || !dob || !on) { box.hidden = true; return; }
    var url = '/api/eligibility?cohort=' + encodeURIComponent(cohort) +
      '&date_of_birth=' + encodeURIComponent(dob) + '&on=' + encodeURIComponent(on);
    fetch(url, { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (v) {
      if (!v) { box.hidden = true; return; }
      box.hidden = false;
      box.className = 'govuk-inset-text' + (v.eligible ? '' : ' stars-ineligible');
      box.textContent = (v.eligible ? 'Eligible: ' : 'Not eligible: ') + v.reason;
    });
  }
  fields.forEach(function (f) { if (f) { f.addEventListener('change', check); } });
  check();
})();
