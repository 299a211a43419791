/**
 * Group commit: items submitted while a flush is in flight wait and go out together in the next one.
 * A lone item is flushed at once, so batching never adds latency to an idle system.
 */
interface Waiter<TItem, TResult> {
  item: TItem
  resolve: (r: TResult) => void
  reject: (e: unknown) => void
}

export class Batcher<TItem, TResult> {
  #pending: Waiter<TItem, TResult>[] = []
  #inFlight = 0
  readonly #flush: (items: TItem[]) => Promise<TResult[]>
  readonly #maxInFlight: number
  readonly #maxBatch: number

  /**
   * @param flush writes a batch in one statement; resolves with one result per item, in order.
   *   When a batch of several fails, each item is retried alone so the error reaches only its owner.
   */
  constructor(flush: (items: TItem[]) => Promise<TResult[]>, options: { maxInFlight: number; maxBatch: number }) {
    this.#flush = flush
    this.#maxInFlight = options.maxInFlight
    this.#maxBatch = options.maxBatch
  }

  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject })
      this.#pump()
    })
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#maxBatch)
      this.#inFlight++
      void this.#run(batch).finally(() => {
        this.#inFlight--
        this.#pump()
      })
    }
  }

  async #run(batch: Waiter<TItem, TResult>[]): Promise<void> {
    try {
      const results = await this.#flush(batch.map((b) => b.item))
      batch.forEach((b, i) => b.resolve(results[i] as TResult))
    } catch (e) {
      if (batch.length === 1) {
        batch[0]!.reject(e)
        return
      }
      await Promise.all(
        batch.map(async (b) => {
          try {
            const [result] = await this.#flush([b.item])
            b.resolve(result as TResult)
          } catch (err) {
            b.reject(err)
          }
        }),
      )
    }
  }
}
