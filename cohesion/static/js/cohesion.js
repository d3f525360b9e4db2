/*
 * Cohesion: mark the page as JavaScript-enabled for GOV.UK Frontend.
 *
 * A classic (non-module), synchronous script. Load it as the FIRST element
 * inside <body>, without defer/async, so the classes are set before the rest
 * of the page is parsed and painted (no flash of un-enhanced components):
 *
 *   <body class="govuk-template__body">
 *     <script src="{% static 'js/cohesion.js' %}"></script>
 *
 * This replaces GOV.UK's inline snippet, which a strict CSP (no
 * 'unsafe-inline', no nonce) would block. `govuk-frontend-supported` is only
 * added in browsers that can run ES modules, i.e. the ones that will run
 * init.mjs; GOV.UK Frontend components check for it before initialising.
 */
(function () {
  'use strict'
  var body = document.body
  if (!body) {
    return
  }
  body.className +=
    ' js-enabled' +
    ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
})()
