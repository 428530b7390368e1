import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from '../../source/core/host-port.js';

describe('parseHostPort (the one host:port parser)', () => {
  it('reads host:port, bracketed IPv6 and drops a scheme and path', () => {
    expect(parseHostPort('127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(parseHostPort(' db1.example:26379 ')).toEqual({ host: 'db1.example', port: 26379 });
    expect(parseHostPort('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(parseHostPort('[fe80::1%eth0]:6379')).toEqual({ host: 'fe80::1%eth0', port: 6379 });
    expect(parseHostPort('redis://[2001:db8::2]:6380/0')).toEqual({ host: '2001:db8::2', port: 6380 });
    expect(parseHostPort('http://127.0.0.1:8008/patroni')).toEqual({ host: '127.0.0.1', port: 8008 });
  });
  it('refuses a bare IPv6 address, a missing or bad port, naming the text', () => {
    for (const bad of ['::1:6379', '2001:db8::2', 'host', 'host:', ':6379', 'host:0', 'host:70000', 'host:63x9']) {
      expect(() => parseHostPort(bad), bad).toThrow(`'${bad}': expected host:port`);
    }
  });
  it('formats back with brackets for IPv6', () => {
    expect(formatHostPort({ host: '::1', port: 6379 })).toBe('[::1]:6379');
    expect(formatHostPort({ host: '10.0.0.1', port: 22 })).toBe('10.0.0.1:22');
  });
});
