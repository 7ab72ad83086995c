// Starts Swagger UI on /api/docs/ (web/templates/apidocs/swagger_ui.html): its settings, with the schema's
// address, come from the json_script block "swagger-ui-settings". Requests made with "Try it out" carry the
// session cookie; the unsafe ones also carry the CSRF token that Django's session authentication asks for.
(function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  var settings = JSON.parse(document.getElementById("swagger-ui-settings").textContent);
  var csrfHeader = box.getAttribute("data-csrf-header-name");
  var csrfToken = box.getAttribute("data-csrf-token");
  function requestInterceptor(request) {
    var method = (request.method || "GET").toUpperCase();
    if (["GET", "HEAD", "OPTIONS"].indexOf(method) === -1 && request.credentials === "same-origin") {
      request.headers[csrfHeader] = csrfToken;
    }
    return request;
  }
  window.ui = window.SwaggerUIBundle(Object.assign({
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  }, settings, { requestInterceptor: requestInterceptor }));
})();
