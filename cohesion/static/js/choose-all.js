// "Choose all the reports on this page": a tick box in the first heading of a table marked
// data-choose-all, that ticks or clears every report's box below it. Without JavaScript each
// report is ticked on its own, as before.
(function () {
  'use strict'
  var table = document.querySelector('table[data-choose-all]')
  if (!table) { return }
  var header = table.querySelector('thead th')
  var boxes = Array.prototype.slice.call(table.querySelectorAll('tbody input[type="checkbox"]'))
  if (!header || !boxes.length) { return }

  var wrapper = document.createElement('div')
  wrapper.className = 'govuk-checkboxes govuk-checkboxes--small'
  var item = document.createElement('div')
  item.className = 'govuk-checkboxes__item'
  var all = document.createElement('input')
  all.className = 'govuk-checkboxes__input'
  all.type = 'checkbox'
  all.id = 'choose-all'
  var label = document.createElement('label')
  label.className = 'govuk-label govuk-checkboxes__label'
  label.htmlFor = 'choose-all'
  var hidden = document.createElement('span')
  hidden.className = 'govuk-visually-hidden'
  hidden.textContent = table.getAttribute('data-choose-all')
  label.appendChild(hidden)
  item.appendChild(all)
  item.appendChild(label)
  wrapper.appendChild(item)
  while (header.firstChild) { header.removeChild(header.firstChild) }
  header.appendChild(wrapper)

  function update () {
    var ticked = boxes.filter(function (box) { return box.checked }).length
    all.checked = ticked === boxes.length
    all.indeterminate = ticked > 0 && ticked < boxes.length
  }
  all.addEventListener('change', function () {
    boxes.forEach(function (box) { box.checked = all.checked })
    update()
  })
  boxes.forEach(function (box) { box.addEventListener('change', update) })
  update()
})()
