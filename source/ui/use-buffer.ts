import { useEffect, useRef, useState } from 'react';
import type { OutputBuffer } from './output-buffer.js';

/** Re-renders at most every `flushMs` (default 100 ms) and only when the buffer changed. */
export function useBufferVersion(buffer: OutputBuffer, flushMs = 100): number {
  const [version, setVersion] = useState(buffer.version);
  const seen = useRef(buffer.version);
  useEffect(() => {
    const timer = setInterval(() => {
      if (buffer.version !== seen.current) {
        seen.current = buffer.version;
        setVersion(buffer.version);
      }
    }, flushMs);
    return () => clearInterval(timer);
  }, [buffer, flushMs]);
  return version;
}
