// As a rumour is typed, show the claims and myth-busters already on file that say the same
// thing, best first, with their match score. Results go in a polite live region. Without
// JavaScript the "Check for matching claims" button asks the server for the same list.
(function () {
  'use strict'
  var input = document.querySelector('[data-rumour-suggest]')
  var region = document.getElementById('rumour-suggestions')
  if (!input || !region || !window.fetch) { return }
  var url = input.getAttribute('data-rumour-suggest')
  var timer = null
  var last = ''
  var counter = 0

  function show (results) {
    while (region.firstChild) { region.removeChild(region.firstChild) }
    if (!results.length) { return }
    var heading = document.createElement('h2')
    heading.className = 'govuk-heading-s'
    heading.textContent = 'Already on file: ' + results.length + ' that may say the same'
    region.appendChild(heading)
    var list = document.createElement('ol')
    list.className = 'govuk-list govuk-list--number'
    results.forEach(function (item) {
      var li = document.createElement('li')
      var link = document.createElement('a')
      link.className = 'govuk-link'
      link.href = item.url
      link.textContent = item.title
      var note = document.createElement('span')
      note.className = 'govuk-body-s'
      var what = item.kind === 'rebuttal' ? 'published myth-buster' : 'claim, ' + String(item.status).toLowerCase()
      note.textContent = ' (' + what + '; match ' + Math.round(item.score * 100) + '%, ' + item.band + ')'
      li.appendChild(link)
      li.appendChild(note)
      list.appendChild(li)
    })
    region.appendChild(list)
  }

  function ask () {
    var text = input.value.trim().slice(0, 1000)
    if (text === last) { return }
    last = text
    if (text.length < 12) { show([]); return }
    var mine = ++counter
    window.fetch(url + '?text=' + encodeURIComponent(text), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null })
      .then(function (data) { if (data && mine === counter) { show(data.results || []) } })
      .catch(function () {})
  }

  input.addEventListener('input', function () {
    window.clearTimeout(timer)
    timer = window.setTimeout(ask, 500)
  })
})()
