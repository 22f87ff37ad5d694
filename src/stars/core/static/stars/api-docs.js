// Starts Swagger UI on /api/docs (a static file, not inline script, for the CSP).
// "Try it out" sends the session cookie; its writes carry the CSRF token as the API requires.
(function () {
  var root = document.getElementById('swagger-ui');
  var csrfToken = root.dataset.csrfToken;
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    layout: 'BaseLayout',
    presets: [SwaggerUIBundle.presets.apis],
    requestInterceptor: function (request) {
      if (csrfToken) {
        request.headers['X-CSRFToken'] = csrfToken;
      }
      return request;
    }
  });
})();
