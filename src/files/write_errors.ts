/** The atomic writer's errors: a short file, and a body that could not be read (not written). */

/** The byte count differs from the declared length: the transfer was cut or the server lied. */
export class IncompleteFileError extends Error {
  readonly expected: number;
  readonly actual: number;
  constructor(path: string, expected: number, actual: number) {
    super(`File "${path}" is incomplete: got ${actual} bytes, expected ${expected}`);
    this.name = "IncompleteFileError";
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Reading a body failed (a cut connection, a broken archive), as opposed to writing it: worth a
 * retry. The bytes received before it stay written and counted.
 */
export class BodyReadError extends Error {
  constructor(path: string, cause: unknown) {
    super(`Cannot read the bytes of "${path}": ${errorText(cause)}`, { cause });
    this.name = "BodyReadError";
  }
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
}
