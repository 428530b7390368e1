import { useRef, useState } from 'react';

/**
 * State whose latest value is readable synchronously: several keys can arrive between two renders
 * (pasted text, fast typing), and each must see the state the previous key produced.
 */
export function useLatestState<T>(initial: T): [() => T, (next: T) => void] {
  const ref = useRef(initial);
  const [, setState] = useState(initial);
  return [
    () => ref.current,
    (next: T) => {
      ref.current = next;
      setState(next);
    },
  ];
}
