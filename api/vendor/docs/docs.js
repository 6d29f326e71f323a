// Starts Swagger UI on /docs. A file of its own, not an inline script, so the page runs
// under the same Content-Security-Policy as the consultants' page (script-src 'self').
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  // The default would ask validator.swagger.io about our schema: nothing from other hosts.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
