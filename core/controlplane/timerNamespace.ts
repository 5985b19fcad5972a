import type { Context, TimerTag } from '../../sim/component.js';

/** A tag that routes a timer to one of several timer owners inside a component. */
export interface NamespacedTag {
  readonly type: 'ns-timer';
  readonly ns: string;
  readonly inner: TimerTag;
}

/**
 * A view of `ctx` whose timers carry `ns`, so two owners that both claim every tag of their kind
 * (two ApiClients each with a TimerRouter, say) can live in one component. The host unwraps with
 * `unwrapTimer` and forwards the inner tag with this same view.
 */
export function namespacedContext(ctx: Context, ns: string): Context {
  return {
    get self() {
      return ctx.self;
    },
    get name() {
      return ctx.name;
    },
    get hostName() {
      return ctx.hostName;
    },
    get rng() {
      return ctx.rng;
    },
    get disk() {
      return ctx.disk;
    },
    now: () => ctx.now(),
    send: (to, message, sizeBytes) => ctx.send(to, message, sizeBytes),
    setTimer: (delayUs, tag) => ctx.setTimer(delayUs, Object.freeze({ type: 'ns-timer', ns, inner: tag })),
    cancelTimer: (id) => ctx.cancelTimer(id),
    fsyncDelay: () => ctx.fsyncDelay(),
    useCpu: (costUs) => ctx.useCpu(costUs),
    lookup: (name) => ctx.lookup(name),
    observe: (o) => ctx.observe(o),
  };
}

/** The inner tag if `tag` belongs to namespace `ns`. */
export function unwrapTimer(tag: TimerTag, ns: string): TimerTag | undefined {
  if (typeof tag !== 'object' || tag.type !== 'ns-timer') return undefined;
  const t = tag as NamespacedTag;
  return t.ns === ns ? t.inner : undefined;
}
