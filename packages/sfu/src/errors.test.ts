import { describe, expect, it } from 'vitest';
import { NotFoundError, UnsupportedError, WorkerClosedError } from './errors.js';

describe('error classes', () => {
  const rows = [
    { Class: UnsupportedError, name: 'UnsupportedError' },
    { Class: WorkerClosedError, name: 'WorkerClosedError' },
    { Class: NotFoundError, name: 'NotFoundError' },
  ] as const;

  for (const { Class, name } of rows) {
    it(`${name}: name, message, prototype chain and stack`, () => {
      const error = new Class('some message');
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.message).toBe('some message');
      expect(String(error)).toBe(`${name}: some message`);
      // The stack starts with the error's own name and does not show the constructor frame.
      expect(error.stack?.split('\n')[0]).toBe(`${name}: some message`);
      expect(error.stack?.split('\n')[1]).toContain('errors.test.ts');
      expect(error.stack).not.toContain(`new ${name}`);
    });
  }

  // Outside V8 mediasoup takes a plain Error's stack; so do we.
  for (const { Class } of rows) {
    it(`${Class.name}: without Error.captureStackTrace the stack is a plain Error's`, () => {
      const saved = Error.captureStackTrace;
      try {
        (Error as { captureStackTrace?: unknown }).captureStackTrace = undefined;
        const error = new Class('no v8');
        expect(error.stack?.split('\n')[0]).toBe('Error: no v8');
        expect(error.stack).toContain('errors.');
      } finally {
        Error.captureStackTrace = saved;
      }
    });
  }

  it('the three classes are distinct', () => {
    expect(new UnsupportedError('x')).not.toBeInstanceOf(WorkerClosedError);
    expect(new WorkerClosedError('x')).not.toBeInstanceOf(NotFoundError);
    expect(new NotFoundError('x')).not.toBeInstanceOf(UnsupportedError);
  });
});
