// Tests must pass on a fresh clone: they read only what the repository holds (captured server answers live in
// test/fixtures/samples). Scratch directories under /tmp are written by the tests themselves and are fine.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const self = 'test/repo/self-contained.test.ts';
// Paths that only exist on the machine the code was written on (home and workspace directories, a sibling
// checkout reached with ../). Each pattern is an extended regex for git grep.
const OUTSIDE = ['/work/', '\\.\\./shared', '/home/', '/root/', '/Users/'];

function outsidePaths(): string[] {
  try {
    const out = execFileSync('git', ['grep', '--untracked', '-nE', OUTSIDE.join('|'), '--', 'test', 'bench', `:!${self}`], { cwd: repoRoot, encoding: 'utf8' });
    return out.split('\n').filter(Boolean);
  } catch (error) {
    // git grep exits 1 when nothing matched.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe('tests are self-contained', () => {
  it('no file under test/ or bench/ names an absolute path outside the repository', () => {
    expect(outsidePaths()).toEqual([]);
  });
});
