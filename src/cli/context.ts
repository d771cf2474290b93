/** What every CLI command gets: where to write, the environment, and a way to set the exit code. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Sets the process exit code (the highest code set wins, so an error is never downgraded). */
  exit(code: number): void;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, findings: 1, badInput: 2, unverifiable: 3 } as const;

/** An error whose message is meant for the user as is (no stack trace), with the exit code to use. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
