/** Collects a stream's output up to a cap, keeping the head and the tail:
 * an agent needs the start of a long output (the command's first errors)
 * and its end (the summary), not the middle. */
export class CappedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Every byte seen, kept or not. */
  total = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const headRoom = Math.ceil(this.max / 2) - this.headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailMax = Math.floor(this.max / 2);
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= tailMax && this.tail.length > 1) {
      this.tailBytes -= (this.tail.shift() as Buffer).length;
    }
  }

  get truncated(): boolean {
    return this.total > this.max;
  }

  /** The kept bytes; when some were dropped, a marker line says how many. */
  value(): Buffer {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (!this.truncated) return Buffer.concat([head, tail]);
    tail = tail.subarray(tail.length - Math.floor(this.max / 2));
    const dropped = this.total - head.length - tail.length;
    return Buffer.concat([head, Buffer.from(`\n[... cordon: ${dropped} bytes of output dropped ...]\n`), tail]);
  }
}
