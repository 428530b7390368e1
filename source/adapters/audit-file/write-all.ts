import { writeSync } from 'node:fs';

/** writeSync may write fewer bytes than asked; loop until all are written or it throws. */
export function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
