/**
 * trackClass: live instance counts of one class over time, with how many were created and how many
 * collected (Pympler's ClassTracker, pymemtrace's ReferenceTracing).
 *
 * JavaScript gives no hook into `new` of an existing class binding, so the counts come from two
 * sources that together are exact at every sample:
 * - a scan (the default): the inspector's Runtime.queryObjects finds every live object whose
 *   prototype chain holds Class.prototype. V8 runs a full garbage collection first, so the live count
 *   is exact, at the cost of that collection (tens to hundreds of ms; see docs/heap-live.md).
 * - registration: `tracker.Class` (a stand-in for the class) and `tracker.track(obj)` register an
 *   instance when it is made; a scan registers every instance it finds for the first time.
 * A registered instance is remembered in a WeakSet. A scan finds every registered instance still
 * alive, so the ones it does not find were collected: exact, with nothing per instance to sweep
 * (WeakRef.deref() costs microseconds each: it pins its target until the job ends). Without a scan,
 * a FinalizationRegistry counts collections when V8 runs its callbacks, some time after a
 * collection. Instances made and freed between two scans without registration are never seen:
 * `created` then counts the instances seen, which the docs say.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { InvalidArgumentError } from '../../shared/errors.js';
import { formatClassTrackerCsv, type ClassSample } from '../../formats/class-tracker-csv.js';
import { describeValue, isConstructor } from './describe-value.js';
import { InspectorSession, type RemoteObject } from './inspector.js';

export interface TrackClassOptions {
  /** Take a sample every `interval` milliseconds (default: only when `sample()` is called). */
  interval?: number;
  /**
   * Find every live instance at each sample through the inspector (default true): exact, and costs a
   * full garbage collection per sample. false: count registered instances only, and collections when
   * V8 happens to collect; no inspector, no forced collection.
   */
  scan?: boolean;
  /** Count instances of subclasses too (default false: objects whose prototype is Class.prototype). */
  subclasses?: boolean;
  /** The name in the `class` column (default Class.name). */
  name?: string;
}

/**
 * Any class. The parameters are `any[]` because a constructor taking (name: string) is not assignable
 * to one taking unknown[]; `tracker.Class` keeps the class's own signature.
 */
// biome-ignore lint/suspicious/noExplicitAny: a class of any constructor signature (unknown[] rejects most)
export type AnyClass = new (...args: any[]) => object;

let trackers = 0;

export class ClassTracker<C extends AnyClass = AnyClass> {
  readonly className: string;
  readonly samples: ClassSample[] = [];
  /**
   * The class itself, behind a Proxy that registers each instance as it is constructed (also of
   * subclasses that extend it). `new tracker.Class(...)` makes exactly what `new Class(...)` makes.
   */
  readonly Class: C;

  private readonly prototype: object;
  private readonly scan: boolean;
  private readonly subclasses: boolean;
  private readonly startedAt = performance.now();
  private readonly objectGroup = `memtrace-track-class-${++trackers}`;
  private readonly known = new WeakSet<object>();
  /** Registered instances not yet known to be collected. */
  private registeredAlive = 0;
  /** Without a scan: counts registered instances as V8 frees them. */
  private readonly finalization: FinalizationRegistry<undefined> | undefined;
  private created = 0;
  private collected = 0;
  private session: InspectorSession | undefined;
  private prototypeHandle: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private sampling = false;
  private stopped = false;

  constructor(Class: C, options: TrackClassOptions = {}) {
    this.prototype = Class.prototype as object;
    this.className = options.name ?? (Class.name || '(anonymous)');
    this.scan = options.scan ?? true;
    this.subclasses = options.subclasses ?? false;
    if (!this.scan) {
      this.finalization = new FinalizationRegistry(() => {
        this.registeredAlive--;
        this.collected++;
      });
    }
    const standIn: C = new Proxy(Class, {
      construct: (target, args, newTarget) => {
        // With the Proxy itself as new.target V8 cannot use the class's own object layout (the
        // instances took 104 bytes, not 40); a subclass's new.target is a real class already.
        const instance = Reflect.construct(target, args, newTarget === standIn ? target : newTarget) as InstanceType<C>;
        this.track(instance);
        return instance;
      },
    });
    this.Class = standIn;
    if (options.interval !== undefined) {
      this.timer = setInterval(() => {
        // A sample still running (a slow scan) makes the tick skip, not queue up.
        if (this.sampling) return;
        this.sample('interval').catch((error: unknown) => {
          process.emitWarning(`memtrace: trackClass(${this.className}): a sample failed: ${(error as Error).message}`);
        });
      }, options.interval);
      this.timer.unref();
    }
  }

  /** Registers an instance as created now (once per object); returns it. Other objects are ignored. */
  track(instance: InstanceType<C>): InstanceType<C> {
    if (typeof instance === 'object' && instance !== null && this.isInstance(instance)) this.register(instance);
    return instance;
  }

  /**
   * Counts now: live instances (after a full collection when scanning), created and collected so far.
   * The row is kept in `samples` and returned.
   */
  sample(label = ''): Promise<ClassSample> {
    if (this.stopped) return Promise.reject(new InvalidArgumentError('ClassTracker.sample', `the tracker of ${this.className} is stopped`));
    const run = this.queue.then(() => this.takeSample(label));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the interval and the inspector session (after a sample in progress); returns the samples. */
  async stop(): Promise<ClassSample[]> {
    if (this.stopped) return this.samples;
    this.stopped = true;
    clearInterval(this.timer);
    await this.queue;
    if (this.session) {
      await this.session.releaseGroup(this.objectGroup);
      this.session.disconnect();
      this.session = undefined;
    }
    return this.samples;
  }

  /** The samples as CSV (time_s,class,live,created,collected,label). */
  toCsv(): string {
    return formatClassTrackerCsv(this.samples);
  }

  writeCsv(path: string): void {
    writeFileSync(path, this.toCsv());
  }

  private async takeSample(label: string): Promise<ClassSample> {
    this.sampling = true;
    try {
      // Let the caller's job end first (and finalization callbacks already due run).
      await nextMacrotask();
      const live = this.scan ? await this.scanInstances() : this.registeredAlive;
      const row: ClassSample = {
        timeS: (performance.now() - this.startedAt) / 1000,
        className: this.className,
        live,
        created: this.created,
        collected: this.collected,
        label,
      };
      this.samples.push(row);
      return row;
    } finally {
      this.sampling = false;
    }
  }

  /** Registers every live instance (V8 collects all garbage before it answers) and counts them. */
  private async scanInstances(): Promise<number> {
    this.session ??= new InspectorSession();
    this.prototypeHandle ??= (await this.session.remoteObject(this.prototype, this.objectGroup)).objectId;
    const group = `${this.objectGroup}-sample`;
    const { objects } = await this.session.post<{ objects: RemoteObject }>('Runtime.queryObjects', {
      prototypeObjectId: this.prototypeHandle,
      objectGroup: group,
    });
    const found = (await this.session.localValue(objects.objectId!)) as object[];
    await this.session.releaseGroup(group);
    let live = 0;
    let registeredFound = 0;
    const fresh: object[] = [];
    for (const object of found) {
      if (!this.isInstance(object)) continue;
      live++;
      if (this.known.has(object)) registeredFound++;
      else fresh.push(object);
    }
    // Every registered instance still alive was found: the others were collected.
    this.collected += this.registeredAlive - registeredFound;
    this.registeredAlive = registeredFound;
    for (const object of fresh) this.register(object);
    return live;
  }

  private register(instance: object): void {
    if (this.known.has(instance)) return;
    this.known.add(instance);
    this.finalization?.register(instance, undefined);
    this.registeredAlive++;
    this.created++;
  }

  private isInstance(object: object): boolean {
    const direct = Object.getPrototypeOf(object) === this.prototype;
    if (!direct && !(this.subclasses && Object.prototype.isPrototypeOf.call(this.prototype, object))) return false;
    // A subclass's own prototype object has Class.prototype in its chain too, but is no instance.
    const ownConstructor = Object.getOwnPropertyDescriptor(object, 'constructor');
    return !(typeof ownConstructor?.value === 'function' && (ownConstructor.value as { prototype?: unknown }).prototype === object);
  }
}

/**
 * Tracks the live instances of `Class` over time: `await tracker.sample(label)` on demand, or every
 * `options.interval` ms; `tracker.toCsv()`; `await tracker.stop()`.
 */
export function trackClass<C extends AnyClass>(Class: C, options: TrackClassOptions = {}): ClassTracker<C> {
  if (!isConstructor(Class) || typeof Class.prototype !== 'object' || Class.prototype === null) {
    throw new InvalidArgumentError(
      'trackClass',
      `${describeValue(Class)} is not a class (expected a class or constructor function with a prototype)`,
    );
  }
  if (options.interval !== undefined && !(Number.isFinite(options.interval) && options.interval > 0)) {
    throw new InvalidArgumentError(
      'trackClass',
      `interval must be a positive number of milliseconds (got ${describeValue(options.interval)})`,
    );
  }
  return new ClassTracker(Class, options);
}
