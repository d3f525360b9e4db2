// Cohesion: initialise GOV.UK Frontend components.
//
// Load as an ES module (deferred by default), after cohesion.js:
//   <script type="module" src="{% static 'js/init.mjs' %}"></script>
//
// govuk-frontend.min.js is copied into static/dist/ by scripts/build-assets.
import { initAll } from '../dist/govuk-frontend.min.js'

// Safety net in case cohesion.js was not included: modules only run in
// browsers that GOV.UK Frontend supports, so both classes are correct here.
// (Setting them this late causes a brief flash; cohesion.js avoids it.)
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
