/**
 * Zone disruption states and the per-zone rate of NoExecute tainting
 * (pkg/controller/nodelifecycle: ComputeZoneState, handleDisruption, setLimiterInZone), kernel-free.
 */
export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface EvictionRateConfig {
  /** --node-eviction-rate, nodes per second per zone; default 0.1. */
  readonly evictionQps: number;
  /** --secondary-node-eviction-rate, used in a partially disrupted large zone; default 0.01. */
  readonly secondaryEvictionQps: number;
  /** --large-cluster-size-threshold: zones with more nodes than this use the secondary rate; default 50. */
  readonly largeClusterThreshold: number;
  /** --unhealthy-zone-threshold: fraction of not-ready nodes (at least 3) that makes a zone partially disrupted; default 0.55. */
  readonly unhealthyZoneThreshold: number;
}

export const DEFAULT_EVICTION_RATE: EvictionRateConfig = Object.freeze({
  evictionQps: 0.1,
  secondaryEvictionQps: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
});

export function computeZoneState(readyNodes: number, notReadyNodes: number, cfg: EvictionRateConfig = DEFAULT_EVICTION_RATE): ZoneState {
  if (readyNodes === 0 && notReadyNodes > 0) return 'FullDisruption';
  if (notReadyNodes > 2 && notReadyNodes / (notReadyNodes + readyNodes) >= cfg.unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

/**
 * Tainting rate of one zone, nodes per second. When every zone is fully disrupted the controller
 * assumes its own connectivity is the problem and evicts nothing anywhere (returns 0 for all).
 */
export function zoneEvictionQps(state: ZoneState, zoneSize: number, allZonesFullyDisrupted: boolean, cfg: EvictionRateConfig = DEFAULT_EVICTION_RATE): number {
  if (allZonesFullyDisrupted) return 0;
  switch (state) {
    case 'Normal':
    case 'FullDisruption':
      return cfg.evictionQps;
    case 'PartialDisruption':
      return zoneSize > cfg.largeClusterThreshold ? cfg.secondaryEvictionQps : 0;
  }
}

/** flowcontrol token bucket with burst 1 (EvictionRateLimiterBurst), driven by an explicit clock. */
export class TokenBucket {
  private qps: number;
  private readonly burst: number;
  private tokens: number;
  private lastSeconds: number;

  constructor(qps: number, burst: number, nowSeconds: number) {
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.lastSeconds = nowSeconds;
  }

  /** Changes the rate; a rate of 0 stops admissions (upstream swaps in a fake "always reject" limiter). */
  setRate(qps: number, nowSeconds: number): void {
    if (qps === this.qps) return;
    this.refill(nowSeconds);
    this.qps = qps;
    // A fresh limiter starts full, as upstream builds a new one on rate change.
    this.tokens = qps > 0 ? this.burst : 0;
  }

  rate(): number {
    return this.qps;
  }

  tryAccept(nowSeconds: number): boolean {
    if (this.qps <= 0) return false;
    this.refill(nowSeconds);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  private refill(nowSeconds: number): void {
    if (nowSeconds > this.lastSeconds) {
      this.tokens = Math.min(this.burst, this.tokens + (nowSeconds - this.lastSeconds) * this.qps);
      this.lastSeconds = nowSeconds;
    }
  }
}
