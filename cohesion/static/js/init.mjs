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

// A file input with data-max-bytes refuses a file that is too big as soon as it is chosen, with a
// GOV.UK error message on the field: sending it would be refused by the server before the form
// was read, and the rest of the form would be lost with it. The server still checks every file.
function tooBigMessage (input, bytes) {
  const megabytes = Math.floor(Number(input.dataset.maxBytes) / 1048576)
  const size = (bytes / 1048576).toFixed(1)
  return `The file must be smaller than ${megabytes} MB (this one is ${size} MB). Choose a smaller picture`
}

document.querySelectorAll('input[type="file"][data-max-bytes]').forEach((input) => {
  const group = input.closest('.govuk-form-group')
  const id = `${input.id}-size-error`
  input.addEventListener('change', () => {
    const old = document.getElementById(id)
    if (old) old.remove()
    group?.classList.remove('govuk-form-group--error')
    input.classList.remove('govuk-file-upload--error')
    const file = input.files && input.files[0]
    if (!file || file.size <= Number(input.dataset.maxBytes)) return
    input.value = ''
    const message = document.createElement('p')
    message.id = id
    message.className = 'govuk-error-message'
    const hidden = document.createElement('span')
    hidden.className = 'govuk-visually-hidden'
    hidden.textContent = 'Error: '
    message.append(hidden, tooBigMessage(input, file.size))
    input.before(message)
    group?.classList.add('govuk-form-group--error')
    input.classList.add('govuk-file-upload--error')
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
    if (!described.includes(id)) input.setAttribute('aria-describedby', [...described, id].join(' '))
  })
})

// On a small screen a wide table scrolls sideways inside its own box, not the whole page. Each
// table is wrapped once (a box written in the page, with its own label, is left alone); a box
// that does scroll becomes a labelled region that can be focused, so keyboard users can scroll
// it too (boxes that fit stay out of the tab order).
const boxes = [...document.querySelectorAll('table.govuk-table')]
  .filter((table) => !table.parentElement.classList.contains('app-table-scroll'))
  .map((table) => {
    const box = document.createElement('div')
    box.className = 'app-table-scroll'
    table.before(box)
    box.append(table)
    return box
  })

function markScrollingBoxes () {
  boxes.forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      const caption = box.querySelector('caption')
      box.setAttribute('role', 'region')
      box.setAttribute('aria-label', caption ? caption.textContent.trim() : 'Table')
      box.tabIndex = 0
    } else {
      box.removeAttribute('role')
      box.removeAttribute('aria-label')
      box.removeAttribute('tabindex')
    }
  })
}

markScrollingBoxes()
let resizing = null
window.addEventListener('resize', () => {
  clearTimeout(resizing)
  resizing = setTimeout(markScrollingBoxes, 200)
})
// A table inside closed <details> has no width until it is opened.
document.addEventListener('toggle', markScrollingBoxes, true)
