/** The engine's settings for a CLI command: the environment, then the command's own flags on top. */
import { ConfigError } from '../config/errors.js';
import { loadEngineEnv, type EngineEnv } from '../config/operator.js';
import { UsageError } from './context.js';

/** Reads EngineEnv from `env` with `overrides` (environment variable names) applied; bad values are UsageErrors. */
export function engineEnvFor(env: NodeJS.ProcessEnv, overrides: Record<string, string | undefined> = {}): EngineEnv {
  const merged = { ...env };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  try {
    return loadEngineEnv(merged);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** Builds the engine's clients, turning a GOPROXY/GOSUMDB value Go would reject into a UsageError. */
export async function clientsFor(settings: EngineEnv, on: { origin?: boolean; meta?: boolean } = {}) {
  // Loaded here, not at the top: the checks pull in the typosquat corpus, which `--help` does not need.
  const { createClients, GoEnvError } = await import('../engine/wiring.js');
  try {
    return createClients(settings, on);
  } catch (e) {
    if (e instanceof GoEnvError) throw new UsageError(e.message);
    throw e;
  }
}
