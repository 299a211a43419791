/** The dashboard's stylesheet, served from the package (no CDN, no file read at run time). */
export const STYLES = `
:root{--bg:#f7f7f8;--fg:#1d1d22;--muted:#6b6b76;--line:#e2e2e7;--card:#fff;--accent:#3b5bdb;--ok:#2b8a3e;--err:#c92a2a;--warn:#e67700;--run:#1971c2;--gray:#868e96;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#141417;--fg:#e7e7ea;--muted:#9a9aa5;--line:#2c2c33;--card:#1c1c21;--accent:#7d95ff}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{display:flex;align-items:center;gap:1.5rem;padding:.6rem 1.2rem;background:var(--card);border-bottom:1px solid var(--line)}
header.top h1{font-size:1rem;margin:0}header.top nav a{margin-right:1rem;font-weight:500}header.top nav a.on{color:var(--fg);border-bottom:2px solid var(--accent)}
main{padding:1rem 1.2rem;max-width:1400px}
[hidden]{display:none!important}
.muted{color:var(--muted)}.num{text-align:right;font-variant-numeric:tabular-nums}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em;word-break:break-all}
button{font:inherit;padding:.25rem .7rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);cursor:pointer}
button:hover{border-color:var(--accent)}button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.danger{color:var(--err)}button.small{font-size:.8em;padding:.05rem .45rem}
input,select{font:inherit;padding:.25rem .45rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.8rem}form.filters label{display:flex;flex-direction:column;font-size:.8em;color:var(--muted)}
table.list{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px}
table.list th,table.list td{padding:.4rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}table.list th{font-size:.8em;color:var(--muted);font-weight:600}
table.list tbody tr:hover{background:color-mix(in srgb,var(--accent) 6%,transparent)}
.pager{display:flex;gap:.6rem;align-items:center;margin-top:.6rem}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.75em;font-weight:600;letter-spacing:.02em;color:#fff;background:var(--gray)}
.badge.success{background:var(--ok)}.badge.error,.badge.max_recovery_attempts_exceeded{background:var(--err)}.badge.pending{background:var(--run)}.badge.enqueued,.badge.delayed{background:var(--warn)}.badge.cancelled{background:var(--gray)}.badge.active{background:var(--ok)}.badge.paused{background:var(--warn)}
.wf-head{display:flex;flex-wrap:wrap;align-items:center;gap:.8rem}.wf-head h2{margin:0;font-size:1.1rem}.actions{margin-left:auto;display:flex;gap:.4rem}
dl.props{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.2rem 1.2rem;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7rem 1rem}
dl.props dt{font-size:.75em;color:var(--muted)}dl.props dd{margin:0 0 .3rem}
.payloads{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
.payload,.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.2rem .9rem .7rem;margin-top:1rem;overflow:auto}.payload.error{border-color:var(--err)}
h3{font-size:.95rem;margin:.7rem 0 .4rem}
.json-tree{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em}
ul.json{list-style:none;margin:0;padding-left:1.1rem;border-left:1px dotted var(--line)}details>summary{cursor:pointer;color:var(--muted)}
.j-s{color:#2f9e44;white-space:pre-wrap;word-break:break-word}.j-n{color:#1971c2}.j-b{color:#ae3ec9}.j-null{color:var(--muted)}.j-k{color:var(--fg);font-weight:600}
.axis{display:grid;grid-template-columns:3rem minmax(8rem,16rem) 1fr 6rem 5.5rem;gap:0 .5rem;padding:0 .6rem;font-size:.75em;color:var(--muted)}.axis .range{grid-column:3;display:flex;justify-content:space-between}
ol.timeline{list-style:none;margin:0;padding:0;background:var(--card);border:1px solid var(--line);border-radius:8px}
li.step{display:grid;grid-template-columns:3rem minmax(8rem,16rem) 1fr 6rem 5.5rem;align-items:center;gap:0 .5rem;padding:.3rem .6rem;border-bottom:1px solid var(--line)}li.step:last-child{border-bottom:0}
li.step .sid{color:var(--muted);font-variant-numeric:tabular-nums}li.step .sname{overflow:hidden;text-overflow:ellipsis}li.step .sdur{text-align:right;font-size:.85em;color:var(--muted)}
li.step .child{display:block;font-size:.8em}li.step details.out{grid-column:2/-1}
svg.bar{width:100%;height:12px;display:block}svg.bar rect{fill:var(--ok)}li.step.err svg.bar rect{fill:var(--err)}li.step.running svg.bar rect{fill:var(--run)}
li.step.picked{background:color-mix(in srgb,var(--accent) 12%,transparent)}
figure.chart{margin:0;display:flex;align-items:center;gap:.6rem}figure.chart rect{fill:var(--accent)}figure.chart rect.zero{fill:var(--line)}figure.chart figcaption{font-size:.75em;color:var(--muted)}
.activity{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:0 1rem}table.kv{border:0;background:none}table.kv td{vertical-align:top}
ol.tail{font-family:ui-monospace,monospace;font-size:.85em;max-height:16rem;overflow:auto;margin:.4rem 0;padding-left:2.2rem}ol.tail li.end{list-style:none;color:var(--muted)}
#gate{max-width:380px;margin:4rem auto;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1.2rem}#gate input{width:100%;margin:.5rem 0}
#notice{margin:.5rem 0;padding:.4rem .8rem;border-radius:6px;background:color-mix(in srgb,var(--err) 12%,transparent);color:var(--err)}#notice.info{background:color-mix(in srgb,var(--ok) 12%,transparent);color:var(--ok)}
dialog{border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--fg);max-width:440px}dialog::backdrop{background:rgb(0 0 0/.35)}dialog .buttons{display:flex;justify-content:end;gap:.5rem;margin-top:1rem}
.empty{padding:2rem;text-align:center}
.row-actions{display:flex;gap:.3rem;justify-content:end}
`
