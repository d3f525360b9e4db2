// Keep a job page up to date without reloading it: ask the server for the job's progress every
// two seconds, update the bar and the text (read out politely by screen readers), and go to the
// result when it is finished. Without JavaScript the "Check progress" button does the same.
(function () {
  'use strict'
  var root = document.querySelector('[data-job-status-url]')
  if (!root || !window.fetch) { return }
  var url = root.getAttribute('data-job-status-url')
  var bar = root.querySelector('progress')
  var text = root.querySelector('[data-job-text]')
  var button = root.querySelector('[data-job-check]')
  if (button) { button.hidden = true }
  function tick () {
    window.fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null })
      .then(function (job) {
        if (!job) { return }
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + '%' }
        if (text) { text.textContent = job.status_label + (job.message ? ': ' + job.message : '') + ' (' + job.percent + '% done)' }
        if (job.finished) {
          window.location.assign(job.next_url || window.location.href)
        } else {
          window.setTimeout(tick, 2000)
        }
      })
      .catch(function () { if (button) { button.hidden = false } })
  }
  window.setTimeout(tick, 1000)
})()
