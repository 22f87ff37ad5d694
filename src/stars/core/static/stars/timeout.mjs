// The warning before sign-out (GOV.UK's timeout warning pattern). The page's <body> carries
// the seconds the session has left, from the server (stars.core.sessions.session_timeout),
// and when to warn. The dialog says how long is left; "Stay signed in" (or Escape) posts to
// the keep-alive with the page's CSRF token and starts the count again from the server's
// answer; "Sign out" signs out; when the time runs out, the page signs out and goes to the
// sign-in page, which says why and comes back here after sign-in.
//
// Typing or choosing in a form on the page is activity: the page posts to the same
// keep-alive quietly, at most once in half the warning's time (a minute), and only while the
// user is at work in a form, so someone writing a long case note is never signed out.
//
// A page's own request that kept the session alive (an upload's progress check while its
// import runs: stars/upload-progress.js) says so with a 'stars:session-alive' event carrying
// the seconds the server says are left: the count starts again from them.
//
// The tabs of one browser share one session, so they keep one clock: a page loaded, a
// keep-alive answered and a sign-out in one tab are told to the others on a BroadcastChannel.
// A message carries only when the session now ends (or that it ended): nothing of a page, a
// form or a person, and nothing is written to the browser's storage.
const body = document.body
const dialog = document.getElementById('session-timeout')
const keepAlive = dialog && dialog.querySelector('[data-session-keep-alive]')
const signOut = dialog && dialog.querySelector('[data-session-sign-out]')
const countdown = dialog && dialog.querySelector('[data-session-countdown]')
const announce = dialog && dialog.querySelector('[data-session-announce]')
const warning = Number(body.dataset.sessionWarningSeconds)
const activityGap = (warning / 2) * 1000 // the least time between two quiet keep-alives
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('stars-session') : null
let deadline = 0
let lastAlive = 0 // when the session's expiry was last moved forward, as far as this tab knows
let quietKeepAlive = null
let ended = false
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

function startUntil (end) {
  deadline = end
  clearTimeout(warnTimer)
  clearInterval(tick)
  warnTimer = setTimeout(show, Math.max(0, end - warning * 1000 - Date.now()))
}

function start (seconds) {
  startUntil(Date.now() + seconds * 1000)
}

function tell (message) {
  if (channel) channel.postMessage(message)
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

// Sign out here (timed out: to sign in, which says why) and, unless told by another tab,
// tell the others.
function leave (timedOut, fromElsewhere) {
  if (ended) return
  ended = true
  clearInterval(tick)
  clearTimeout(warnTimer)
  if (!fromElsewhere) tell({ type: timedOut ? 'expired' : 'signed-out' })
  signOut.querySelector('[data-session-expired-next]').disabled = !timedOut
  signOut.submit()
}

function expire () {
  leave(true, false)
}

// The keep-alive: the session's expiry moves forward on the server, which answers how long
// is left; every tab hears when the session now ends.
async function ping () {
  const token = keepAlive.querySelector('[name=csrfmiddlewaretoken]').value
  const response = await fetch(keepAlive.action, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'X-CSRFToken': token, Accept: 'application/json' },
    redirect: 'manual'
  })
  if (!response.ok) {
    const refused = new Error(`keep-alive answered ${response.status}`)
    // the service answered: this session has ended; but 503 (busy importing) is not an end
    refused.refused = response.status !== 503
    throw refused
  }
  const answer = await response.json()
  lastAlive = Date.now()
  start(Number(answer.seconds_left))
  tell({ type: 'alive', until: deadline })
}

async function stay () {
  try {
    await ping()
    hide()
  } catch (e) {
    expire() // signed out already (or the service cannot be reached): say so at sign-in
  }
}

// Input in a form of the page (not the warning's own): keep the session alive, quietly.
function active (event) {
  if (ended || dialog.open || !event.target.closest || !event.target.closest('form')) return
  if (dialog.contains(event.target) || quietKeepAlive) return
  if (Date.now() - lastAlive < activityGap) return
  quietKeepAlive = ping()
    .catch((e) => {
      // A keep-alive refused (redirected to sign in, 403): the session has ended, and what is
      // typed can no longer be saved; say so at sign-in. The service out of reach, or the
      // request cut short by the page's own form being sent: try again at the next input
      // (the warning still shows in time).
      if (e.refused) expire()
    })
    .finally(() => { quietKeepAlive = null })
}

// Another tab kept the session alive (or loaded a page, which may have), or signed out.
function heard (event) {
  const message = event.data || {}
  if (ended) return
  if (message.type === 'alive' && Number(message.until) > deadline) {
    lastAlive = Date.now()
    if (dialog.open) hide()
    startUntil(Number(message.until))
  } else if (message.type === 'expired' || message.type === 'signed-out') {
    leave(message.type === 'expired', true)
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
  document.addEventListener('input', active, true)
  document.addEventListener('change', active, true)
  // A sign-out here (the header's button, the warning's) signs out the other tabs too.
  document.addEventListener('submit', (event) => {
    if (event.target.getAttribute('action') === signOut.getAttribute('action')) {
      ended = true
      tell({ type: 'signed-out' })
    }
  }, true)
  if (channel) channel.addEventListener('message', heard)
  document.addEventListener('stars:session-alive', (event) => {
    const seconds = Number(event.detail)
    if (ended || !Number.isFinite(seconds)) return
    lastAlive = Date.now()
    if (dialog.open) hide()
    start(seconds)
    tell({ type: 'alive', until: deadline })
  })
  lastAlive = Date.now()
  start(Number(body.dataset.sessionSecondsLeft))
  tell({ type: 'alive', until: deadline })
}
