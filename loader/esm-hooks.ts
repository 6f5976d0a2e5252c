/**
 * ESM load hook for `module.register` (Node 20 and 22 before registerHooks). It runs on Node's hooks
 * thread, so it only transforms; the traced program's thread keeps the runtime. It also transforms the
 * traced thread's CommonJS modules, sent over the channel `initialize` receives.
 */
import { settingsFromEnv } from '../src/shared/settings.js';
import { transformLoaded, type LoadResult } from './install-hooks.js';
import { createTransformer, type ModuleTransformer } from './transform-module.js';
import { serveTransforms, type TransformChannelData } from '../transforms/transform-service.js';
import { answerTransform } from '../transforms/off-thread.js';
import { isMainThread } from 'node:worker_threads';
import { ignoreThreadInNativeRecord } from '../src/shared/native-addon.js';

// On Node's hooks thread, what the transform allocates is memtrace's (`memtrace run --native`).
if (!isMainThread) ignoreThreadInNativeRecord();

type NextLoad = (url: string, context?: object) => Promise<LoadResult>;

// The traced thread has checked the settings already (and stopped on a bad one).
let transform: ModuleTransformer = (source) => source;
try {
  transform = createTransformer(settingsFromEnv());
} catch {
  // Left untraced: register.ts reports the setting.
}

/** `data`: install-hooks.ts's end of the channel on which the traced thread sends its CommonJS modules. */
export function initialize(data: TransformChannelData | undefined): void {
  if (data) serveTransforms(data, answerTransform);
}

export async function load(url: string, context: object, nextLoad: NextLoad): Promise<LoadResult> {
  return transformLoaded(url, await nextLoad(url, context), transform, false);
}
