// Shows, as the SPOC types, whether the child is eligible for the cohort under the rule in
// force on the enquiry date (the same rule the server applies when the form is sent).
(function () {
  var box = document.getElementById('eligibility-live');
  if (!box) { return; }
  var cohort = document.getElementById('id_cohort');
  // A month named as the server reads it (stars.domain.calendar.read_date_parts): its
  // name, or the name's first 3 or 4 letters ("Feb", "Sept", "february.").
  var MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august',
    'september', 'october', 'november', 'december'];
  function monthNumber(text) {
    var t = text.toLowerCase().replace(/\.$/, '');
    for (var i = 0; i < MONTHS.length; i++) {
      if (t === MONTHS[i] || t === MONTHS[i].slice(0, 3) || t === MONTHS[i].slice(0, 4)) {
        return String(i + 1);
      }
    }
    return text;
  }
  // A date typed in its three boxes (Day, Month, Year) as 2024-03-27; blank until whole.
  function typed(id) {
    var p = ['day', 'month', 'year'].map(function (part) {
      var input = document.getElementById(id + '-' + part);
      return input ? input.value.trim() : '';
    });
    p[1] = monthNumber(p[1]);
    if (!/^\d{1,2}$/.test(p[0]) || !/^\d{1,2}$/.test(p[1]) || !/^\d{4}$/.test(p[2])) { return ''; }
    return p[2] + '-' + ('0' + p[1]).slice(-2) + '-' + ('0' + p[0]).slice(-2);
  }
  var fields = [cohort];
  ['id_date_of_birth', 'id_enquiry_date'].forEach(function (id) {
    ['day', 'month', 'year'].forEach(function (part) {
      fields.push(document.getElementById(id + '-' + part));
    });
  });
  var asked = 0; // only the answer to the latest question is shown
  function check() {
    var dob = typed('id_date_of_birth'), on = typed('id_enquiry_date');
    if (!cohort || !cohort.value || !dob || !on) { asked++; box.hidden = true; return; }
    var url = '/api/eligibility?cohort=' + encodeURIComponent(cohort.value) +
      '&date_of_birth=' + encodeURIComponent(dob) + '&on=' + encodeURIComponent(on);
    var ask = ++asked;
    fetch(url, { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (v) {
      if (ask !== asked) { return; }
      if (!v) { box.hidden = true; return; }
      box.hidden = false;
      box.className = 'govuk-inset-text' + (v.eligible ? '' : ' stars-ineligible');
      box.textContent = (v.eligible ? 'Eligible: ' : 'Not eligible: ') + v.reason;
    });
  }
  fields.forEach(function (f) {
    if (f) { f.addEventListener('change', check); f.addEventListener('input', check); }
  });
  check();
})();
