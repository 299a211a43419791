/**
 * The dashboard's page: static, with no data in it, so it is served without the admin token. Its script asks
 * for the token when the server wants one and fetches every view as an HTML fragment.
 */
export const SHELL = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Perdure dashboard</title><link rel="stylesheet" href="assets/app.css"><script src="assets/app.js" defer></script></head>
<body>
<form id="gate" hidden><h2>Admin token</h2><p class="muted">This server asks for its admin token. It is kept in this tab only.</p>
<input id="token" name="token" type="password" autocomplete="off" required aria-label="Admin token"><button class="primary" type="submit">Open</button><p id="gate-error" class="muted"></p></form>
<div id="app" hidden>
<header class="top"><h1>Perdure</h1><nav><a href="#/" data-nav="list">Workflows</a><a href="#/queues" data-nav="queues">Queues</a><a href="#/schedules" data-nav="schedules">Schedules</a><a href="#/versions" data-nav="versions">Versions</a></nav><span id="updated" class="muted"></span></header>
<main>
<div id="notice" hidden></div>
<section id="list-view" hidden>
<form class="filters" id="filters">
<label>Status<select name="status"><option value="">any</option><option>PENDING</option><option>ENQUEUED</option><option>DELAYED</option><option>SUCCESS</option><option>ERROR</option><option>CANCELLED</option><option>MAX_RECOVERY_ATTEMPTS_EXCEEDED</option></select></label>
<label>Name<input name="name" size="14"></label><label>Queue<input name="queue" size="10"></label><label>ID prefix<input name="prefix" size="14"></label>
<label>Created from<input name="from" type="datetime-local"></label><label>to<input name="to" type="datetime-local"></label>
<button class="primary" type="submit">Apply</button><label><span><input type="checkbox" name="live" checked> live</span></label>
</form>
<div id="list"></div>
</section>
<section id="workflow-view" hidden>
<p><a href="#/">← Workflows</a></p>
<div id="workflow"></div>
<section class="panel" id="tail-panel" hidden><h3>Stream <code id="tail-key"></code>, live <button class="small" id="tail-stop" type="button">Stop</button></h3><ol id="tail" class="tail"></ol></section>
</section>
<section id="queues-view" hidden><div id="queues"></div></section>
<section id="schedules-view" hidden><div id="schedules"></div></section>
<section id="versions-view" hidden><div id="versions"></div></section>
</main></div>
<dialog id="confirm"><p id="confirm-text"></p><div class="buttons"><button id="confirm-no" type="button">Back</button><button id="confirm-yes" class="primary" type="button">Confirm</button></div></dialog>
</body></html>
`
