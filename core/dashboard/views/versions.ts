import type { VersionInfo } from '../../management/application-versions.ts'
import { time } from './format.ts'
import { h, type Html } from './html.ts'

function row(v: VersionInfo, latest: boolean): Html {
  const mark = latest
    ? h`<span class="badge active">LATEST</span>`
    : h`<button class="small" data-do="latest" data-version="${v.versionName}" title="Executors dequeue for the latest version">Make latest</button>`
  return h`<tr data-version="${v.versionName}"${latest ? h` data-latest` : ''}>
<td class="id" title="${v.versionId}">${v.versionName}</td><td>${time(v.versionTimestamp)}</td><td>${time(v.createdAt)}</td><td>${v.applicationName ?? h`<span class="muted">unclaimed</span>`}</td><td>${mark}</td></tr>`
}

/** The application versions view, latest first: the latest marked, any other made latest from its row. */
export function versionsPage(versions: readonly VersionInfo[]): Html {
  if (versions.length === 0) return h`<p class="empty muted">No application versions are registered in this system database.</p>`
  return h`<table class="list versions"><thead><tr><th>Version</th><th>Timestamp</th><th>Registered</th><th>Application</th><th></th></tr></thead>
<tbody>${versions.map((v, i) => row(v, i === 0))}</tbody></table>`
}
