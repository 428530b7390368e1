// Bounded ring buffer for streaming command output. Appending is O(chunk); the view reads a window of
// lines on a timer (~100 ms), so 100k lines never become 100k React elements or 100k renders.

export class OutputBuffer {
  private readonly ring: string[];
  private start = 0;
  private count = 0;
  private partial = '';
  /** Lines ever appended (including those the ring has dropped). */
  total = 0;
  /** Bumped on every append: the view re-renders only when it changed. */
  version = 0;

  constructor(readonly capacity = 5000) {
    this.ring = new Array<string>(capacity);
  }

  append(text: string): void {
    if (text === '') return;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.push(line.replace(/\r$/, ''));
    this.version++;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.partial = '';
    this.total = 0;
    this.version++;
  }

  /** Lines held (complete lines plus a trailing partial line). */
  get length(): number {
    return this.count + (this.partial === '' ? 0 : 1);
  }

  /** `height` lines ending `fromEnd` lines before the newest (0 = the tail). */
  window(height: number, fromEnd = 0): string[] {
    const len = this.length;
    const end = Math.max(0, len - Math.max(0, fromEnd));
    const begin = Math.max(0, end - height);
    const out: string[] = [];
    for (let i = begin; i < end; i++) out.push(this.at(i));
    return out;
  }

  /** Indexes (0 = oldest held) of lines containing `needle`, case-insensitive. */
  search(needle: string): number[] {
    const n = needle.toLowerCase();
    const hits: number[] = [];
    if (n === '') return hits;
    for (let i = 0; i < this.length; i++) if (this.at(i).toLowerCase().includes(n)) hits.push(i);
    return hits;
  }

  at(i: number): string {
    if (i === this.count) return this.partial;
    return this.ring[(this.start + i) % this.capacity] ?? '';
  }

  private push(line: string): void {
    this.total++;
    if (this.count < this.capacity) {
      this.ring[(this.start + this.count) % this.capacity] = line;
      this.count++;
    } else {
      this.ring[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    }
  }
}
