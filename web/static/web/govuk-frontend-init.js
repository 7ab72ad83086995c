// Starts GOV.UK Frontend's components (a module script, run once the page is parsed). GOV.UK Frontend's own
// address comes from this script's data-govuk-frontend attribute: it is hashed in production, so it cannot be
// written here.
const script = document.querySelector("script[data-govuk-frontend]");
import(script.dataset.govukFrontend).then(function (govuk) {
  govuk.initAll();
});
