// Perdure's ERROR lines that a test provokes on purpose. The test runner fails a lane whose output holds an
// ERROR line (scripts/test.mjs): an expected error belongs to its test, which catches it here, and checks it,
// rather than to the console of a passing run.

/** The start of a line from Perdure's logger at ERROR level (core/logger.ts). */
const ERROR_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[perdure\] ERROR: /

/**
 * Runs `fn` with Perdure's ERROR lines caught instead of printed, and resolves with its value and those lines
 * (each with what was logged after it, stack traces included). Everything else on console.error still prints.
 * The lines are caught until `fn` settles: an error logged later, by work `fn` left running, still prints.
 */
export async function catchErrorLogs<T>(fn: () => Promise<T> | T): Promise<{ value: T; errors: string[] }> {
  const errors: string[] = []
  const print = console.error
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && ERROR_LINE.test(args[0])) errors.push(args.map(String).join(' '))
    else print(...args)
  }
  try {
    return { value: await fn(), errors }
  } finally {
    console.error = print
  }
}
