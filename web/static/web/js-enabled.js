// Loaded (not deferred) first thing in <body>, as GOV.UK Frontend's template runs this line inline: the classes
// that turn on the styles of its JavaScript components, set before the page is drawn.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
