import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietOnClosedPipe } from './io.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('quietOnClosedPipe', () => {
  it('ends quietly when the reader closed the pipe, and raises any other write error', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const stream = new EventEmitter();
    quietOnClosedPipe(stream);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exit).toHaveBeenCalledWith(0);
    const other = Object.assign(new Error('write EIO'), { code: 'EIO' });
    expect(() => stream.emit('error', other)).toThrow(other);
  });
});
