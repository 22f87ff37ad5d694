// The warning before sign-out (GOV.UK's timeout warning pattern). The page's <body> carries
// the seconds the session has left, from the server (stars.core.sessions.session_timeout),
// and when to warn. The dialog says how long is left; "Stay signed in" (or Escape) posts to
// the keep-alive with the page's CSRF token and starts the count again from the server's
// answer; "Sign out" signs out; when the time runs out, the page signs out and goes to the
// sign-in page, which says why and comes back here after sign-in.
const body = document.body
const dialog = document.getElementById('session-timeout')
const keepAlive = dialog && dialog.querySelector('[data-session-keep-alive]')
const signOut = dialog && dialog.querySelector('[data-session-sign-out]')
const countdown = dialog && dialog.querySelector('[data-session-countdown]')
const announce = dialog && dialog.querySelector('[data-session-announce]')
const warning = Number(body.dataset.sessionWarningSeconds)
let deadline = 0
let warnTimer = 0
let tick = 0
let lastAnnounced = ''
let returnFocus = null

function plural (n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

// "2 minutes", "1 minute 30 seconds", "45 seconds"
function spoken (seconds) {
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  if (minutes === 0) return plural(rest, 'second')
  return rest === 0 ? plural(minutes, 'minute') : `${plural(minutes, 'minute')} ${plural(rest, 'second')}`
}

function secondsLeft () {
  return Math.max(0, Math.ceil((deadline - Date.now()) / 1000))
}

// The countdown shows every second; a screen reader hears it when the dialog opens, at each
// whole minute and at 20 seconds, not every second.
function update () {
  const left = secondsLeft()
  if (left <= 0) {
    expire()
    return
  }
  countdown.textContent = spoken(left)
  const said = left % 60 === 0 || left === 20 ? spoken(left) : lastAnnounced
  if (said !== lastAnnounced) {
    lastAnnounced = said
    announce.textContent = `You will be signed out in ${said}.`
  }
}

function start (seconds) {
  deadline = Date.now() + seconds * 1000
  clearTimeout(warnTimer)
  clearInterval(tick)
  warnTimer = setTimeout(show, Math.max(0, (seconds - warning) * 1000))
}

function show () {
  returnFocus = document.activeElement
  lastAnnounced = spoken(secondsLeft())
  countdown.textContent = lastAnnounced
  announce.textContent = `You will be signed out in ${lastAnnounced}.`
  dialog.showModal()
  dialog.setAttribute('tabindex', '-1')
  dialog.focus()
  clearInterval(tick)
  tick = setInterval(update, 1000)
}

function hide () {
  clearInterval(tick)
  announce.textContent = ''
  dialog.close()
  if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
}

function expire () {
  clearInterval(tick)
  clearTimeout(warnTimer)
  signOut.querySelector('[data-session-expired-next]').disabled = false
  signOut.submit()
}

async function stay () {
  const token = keepAlive.querySelector('[name=csrfmiddlewaretoken]').value
  try {
    const response = await fetch(keepAlive.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRFToken': token, Accept: 'application/json' },
      redirect: 'manual'
    })
    if (!response.ok) throw new Error(`keep-alive answered ${response.status}`)
    const answer = await response.json()
    hide()
    start(Number(answer.seconds_left))
  } catch (e) {
    expire() // signed out already (or the service cannot be reached): say so at sign-in
  }
}

// Keep focus in the dialog: Tab from the last control goes to the first, and back.
function trap (event) {
  if (event.key !== 'Tab') return
  const controls = Array.from(dialog.querySelectorAll('button'))
  const first = controls[0]
  const last = controls[controls.length - 1]
  if (event.shiftKey && (document.activeElement === first || document.activeElement === dialog)) {
    event.preventDefault()
    last.focus()
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault()
    first.focus()
  }
}

if (dialog && body.dataset.sessionSecondsLeft) {
  keepAlive.addEventListener('submit', (event) => {
    event.preventDefault()
    stay()
  })
  dialog.addEventListener('cancel', (event) => { // Escape: stay signed in
    event.preventDefault()
    stay()
  })
  dialog.addEventListener('keydown', trap)
  start(Number(body.dataset.sessionSecondsLeft))
}
