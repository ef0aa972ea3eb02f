import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** sha256 (hex) of a file, streamed so a multi-GB model is never held in memory for hashing. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
