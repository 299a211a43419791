/** The dashboard's client script: routing, fragment loading with the bearer token, actions, the stream tail. */
export const SCRIPT = String.raw`(function () {
  'use strict'
  var TOKEN = 'perdure-admin-token'
  var REFRESH_MS = 3000
  var PAGE = location.pathname.replace(/[^/]*$/, '')
  var $ = function (id) { return document.getElementById(id) }
  var state = { offset: 0, timer: 0, tail: null, view: '', id: '' }

  function Locked() {}

  function headers(extra) {
    var h = extra || {}
    var token = sessionStorage.getItem(TOKEN)
    if (token) h.Authorization = 'Bearer ' + token
    return h
  }

  async function request(path, init) {
    init = init || {}
    var r = await fetch(PAGE + path, { method: init.method || 'GET', body: init.body, signal: init.signal, headers: headers(init.headers), cache: 'no-store' })
    if (r.status === 401) { lock(); throw new Locked() }
    return r
  }

  async function failure(r) {
    var text = await r.text()
    try { return JSON.parse(text).error || text } catch (e) { return text || r.statusText }
  }

  function notice(text, info) {
    var n = $('notice')
    n.textContent = text || ''
    n.className = info ? 'info' : ''
    n.hidden = !text
  }

  function lock() {
    stop()
    $('app').hidden = true
    ;['list', 'workflow', 'queues', 'schedules', 'versions', 'tail'].forEach(function (id) { $(id).replaceChildren() })
    $('tail-panel').hidden = true
    $('gate').hidden = false
    $('gate-error').textContent = sessionStorage.getItem(TOKEN) ? 'That token was refused.' : ''
    $('token').focus()
  }

  function localize(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      t.title = t.textContent
      t.textContent = new Date(t.getAttribute('datetime')).toLocaleString()
    })
  }

  async function load(path, target) {
    var r = await request(path)
    if (!r.ok) { notice(await failure(r)); return false }
    var html = await r.text()
    var open = Array.prototype.map.call(target.querySelectorAll('details'), function (d) { return d.open })
    target.innerHTML = html
    target.querySelectorAll('details').forEach(function (d, i) { if (i < open.length) d.open = open[i] })
    localize(target)
    $('app').hidden = false
    $('gate').hidden = true
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString()
    return true
  }

  function stopTail() {
    if (state.tail) { state.tail.abort(); state.tail = null }
  }

  function closeTail() {
    stopTail()
    $('tail').replaceChildren()
    $('tail-panel').hidden = true
  }

  function stop() {
    clearTimeout(state.timer)
    state.timer = 0
    stopTail()
  }

  function schedule(fn) {
    clearTimeout(state.timer)
    state.timer = setTimeout(function () { run(fn) }, REFRESH_MS)
  }

  async function run(fn) {
    try {
      await fn()
    } catch (e) {
      // A locked page asks for the token; an aborted tail was stopped on purpose.
      if (!(e instanceof Locked) && !(e && e.name === 'AbortError')) notice(String(e && e.message || e))
    }
  }

  function isoOf(local) { return local ? new Date(local).toISOString() : '' }

  function listQuery() {
    var f = $('filters').elements
    var q = new URLSearchParams()
    if (f.status.value) q.set('status', f.status.value)
    if (f.name.value.trim()) q.set('name', f.name.value.trim())
    if (f.queue.value.trim()) q.set('queue', f.queue.value.trim())
    if (f.prefix.value.trim()) q.set('prefix', f.prefix.value.trim())
    if (f.from.value) q.set('from', isoOf(f.from.value))
    if (f.to.value) q.set('to', isoOf(f.to.value))
    if (state.offset) q.set('offset', String(state.offset))
    return q.toString()
  }

  async function showList() {
    if (state.view !== 'list') return
    var ok = await load('fragments/workflows?' + listQuery(), $('list'))
    if (ok && $('filters').elements.live.checked) schedule(showList)
  }

  async function showWorkflow() {
    if (state.view !== 'workflow') return
    var ok = await load('fragments/workflows/' + encodeURIComponent(state.id), $('workflow'))
    var article = $('workflow').querySelector('article')
    if (ok && article && article.hasAttribute('data-active')) schedule(showWorkflow)
  }

  async function showQueues() {
    if (state.view !== 'queues') return
    if (await load('fragments/queues', $('queues'))) schedule(showQueues)
  }

  async function showSchedules() {
    if (state.view !== 'schedules') return
    if (await load('fragments/schedules', $('schedules'))) schedule(showSchedules)
  }

  async function showVersions() {
    if (state.view !== 'versions') return
    if (await load('fragments/versions', $('versions'))) schedule(showVersions)
  }

  function show(view) {
    state.view = view
    ;['list', 'workflow', 'queues', 'schedules', 'versions'].forEach(function (v) { $(v + '-view').hidden = v !== view })
    document.querySelectorAll('[data-nav]').forEach(function (a) { a.classList.toggle('on', a.getAttribute('data-nav') === view) })
  }

  // A hand-edited link may hold a malformed escape (%E0): said in a notice rather than left as a blank page.
  function decoded(text) {
    try { return decodeURIComponent(text) } catch (e) { notice('Not a valid link: ' + text); return null }
  }

  function route() {
    stop()
    notice('')
    var hash = location.hash.slice(1) || '/'
    var wf = /^\/workflows\/(.+)$/.exec(hash)
    var id = wf && decoded(wf[1])
    if (id !== null && wf) {
      if (id !== state.id) closeTail()
      state.id = id
      show('workflow')
      return run(showWorkflow)
    }
    if (hash === '/queues') { show('queues'); return run(showQueues) }
    if (hash === '/schedules') { show('schedules'); return run(showSchedules) }
    if (hash === '/versions') { show('versions'); return run(showVersions) }
    var queue = /^\/\?queue=(.*)$/.exec(hash)
    var queueName = queue && decoded(queue[1])
    if (queueName !== null && queue) { $('filters').elements.queue.value = queueName; state.offset = 0 }
    show('list')
    return run(showList)
  }

  function confirmAction(text) {
    var d = $('confirm')
    $('confirm-text').textContent = text
    d.showModal()
    return new Promise(function (resolve) {
      var done = function (answer) {
        $('confirm-yes').onclick = $('confirm-no').onclick = d.oncancel = null
        d.close()
        resolve(answer)
      }
      $('confirm-yes').onclick = function () { done(true) }
      $('confirm-no').onclick = function () { done(false) }
      d.oncancel = function () { done(false) }
    })
  }

  var ACTIONS = {
    cancel: function (id) { return 'Cancel workflow ' + id + '? It stops at its next step.' },
    resume: function (id) { return 'Resume workflow ' + id + ' from its last recorded step?' },
    delete: function (id) { return 'Delete workflow ' + id + ' with its inputs, outputs, steps, events and streams? This cannot be undone.' },
    fork: function (id, step) { return 'Start a new workflow from ' + id + ' that keeps the results of the steps before step ' + step + ' and runs again from step ' + step + '?' },
  }

  async function act(button) {
    var action = button.getAttribute('data-action')
    var id = state.id
    var step = Number(button.getAttribute('data-step') || 0)
    var row = button.closest('li.step')
    if (row) row.classList.add('picked')
    var yes = await confirmAction(ACTIONS[action](id, step))
    if (row) row.classList.remove('picked')
    if (!yes) return
    var body = action === 'fork' ? { start_step: step } : {}
    var r = await request('workflows/' + encodeURIComponent(id) + '/' + action, {
      method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
    })
    if (!r.ok) return notice(await failure(r))
    if (action === 'delete') { notice('Deleted ' + id, true); location.hash = '#/'; return }
    if (action === 'fork') {
      var forked = (await r.json()).workflow_id
      location.hash = '#/workflows/' + encodeURIComponent(forked)
      return notice('Forked as ' + forked, true)
    }
    notice((action === 'cancel' ? 'Cancelled ' : 'Resumed ') + id, true)
    await showWorkflow()
  }

  // A schedule's and a version's operations: [question, what the notice says once done].
  var OPERATIONS = {
    pause: function (name) { return ['Pause schedule ' + name + '? No executor fires it until it is resumed.', 'Paused ' + name] },
    resume: function (name) { return ['Resume schedule ' + name + '? Its executors fire it again from its next slot.', 'Resumed ' + name] },
    trigger: function (name) { return ['Run schedule ' + name + "'s workflow once now, outside its crontab?", 'Triggered ' + name] },
    latest: function (name) { return ['Make ' + name + ' the latest application version? Executors dequeue for the latest version.', name + ' is now the latest version'] },
  }

  async function operate(button) {
    var op = button.getAttribute('data-do')
    var scheduleName = button.getAttribute('data-schedule')
    var name = scheduleName !== null ? scheduleName : button.getAttribute('data-version')
    var path = (scheduleName !== null ? 'schedules/' : 'versions/') + encodeURIComponent(name) + '/' + op
    var text = OPERATIONS[op](name)
    if (!(await confirmAction(text[0]))) return
    var r = await request(path, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })
    if (!r.ok) return notice(await failure(r))
    notice(op === 'trigger' ? text[1] + ' as workflow ' + (await r.json()).workflow_id : text[1], true)
    await (scheduleName !== null ? showSchedules : showVersions)()
  }

  async function tail(key) {
    stopTail()
    var list = $('tail')
    list.replaceChildren()
    $('tail-key').textContent = key
    $('tail-panel').hidden = false
    var controller = new AbortController()
    state.tail = controller
    var q = 'streams/' + encodeURIComponent(state.id) + '?key=' + encodeURIComponent(key)
    var r = await request(q, { signal: controller.signal, headers: { Accept: 'text/event-stream' } })
    if (!r.ok) return notice(await failure(r))
    var reader = r.body.pipeThrough(new TextDecoderStream()).getReader()
    var buffer = ''
    var end = function (text) { var li = document.createElement('li'); li.className = 'end'; li.textContent = text; list.append(li) }
    for (;;) {
      var chunk = await reader.read()
      if (chunk.done) break
      buffer += chunk.value
      var events = buffer.split('\n\n')
      buffer = events.pop()
      events.forEach(function (block) {
        var event = 'message'
        var data = []
        block.split('\n').forEach(function (line) {
          if (line.indexOf('event:') === 0) event = line.slice(6).trim()
          else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''))
        })
        if (event === 'close') return end('stream closed')
        if (event === 'failure') return end('failed: ' + data.join('\n'))
        if (event !== 'message' || data.length === 0) return
        var li = document.createElement('li')
        li.textContent = data.join('\n')
        list.append(li)
        list.scrollTop = list.scrollHeight
      })
    }
    if (state.tail === controller) state.tail = null
  }

  document.addEventListener('click', function (e) {
    var t = e.target.closest('[data-action],[data-page],[data-tail],[data-do]')
    if (!t) return
    e.preventDefault()
    if (t.hasAttribute('data-page')) { state.offset = Number(t.getAttribute('data-page')); run(showList); return }
    if (t.hasAttribute('data-tail')) { var key = t.getAttribute('data-tail'); run(function () { return tail(key) }); return }
    if (t.hasAttribute('data-do')) { run(function () { return operate(t) }); return }
    run(function () { return act(t) })
  })

  $('filters').addEventListener('submit', function (e) {
    e.preventDefault()
    state.offset = 0
    stop()
    run(showList)
  })
  $('filters').elements.live.addEventListener('change', function () { stop(); run(showList) })

  $('tail-stop').addEventListener('click', closeTail)

  $('gate').addEventListener('submit', function (e) {
    e.preventDefault()
    sessionStorage.setItem(TOKEN, $('token').value.trim())
    $('token').value = ''
    route()
  })

  window.addEventListener('hashchange', route)
  route()
})()
`
