// What a server is really bound to, from the kernel's side: a server object can only echo the hostname it
// was given, which proves nothing about the socket.
import { existsSync, readFileSync } from 'node:fs'

/** TCP state LISTEN in /proc/net/tcp. */
const LISTEN = '0A'

/**
 * The local addresses of the sockets listening on TCP `port`, read from Linux's /proc/net/tcp and tcp6:
 * '127.0.0.1', '0.0.0.0', '::', '::1', or another address in hex. Undefined where /proc/net is absent.
 */
export function listeningAddresses(port: number): string[] | undefined {
  const tables = ['/proc/net/tcp', '/proc/net/tcp6'].filter((path) => existsSync(path))
  if (tables.length === 0) return undefined
  const addresses: string[] = []
  for (const path of tables) {
    for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
      const [, local = '', , state] = line.trim().split(/\s+/)
      const [hex = '', portHex = ''] = local.split(':')
      if (state !== LISTEN || parseInt(portHex, 16) !== port) continue
      addresses.push(hex.length === 8 ? ipv4(hex) : ipv6(hex))
    }
  }
  return addresses
}

/** /proc writes an IPv4 address as one little-endian 32-bit word. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.')
}

function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::'
  if (hex === '00000000000000000000000001000000') return '::1'
  return hex
}
