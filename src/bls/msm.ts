/**
 * Multi-scalar multiplication Σ kᵢ·Pᵢ for SHORT scalars (the 64-bit random weights of a batch check).
 *
 * noble's generic `pippenger` walks all 254 bits of the scalar field whatever the scalars are, so with
 * 64-bit weights about three quarters of its windows add every point into the (discarded) zero bucket.
 * This bucket method only walks the bits the scalars have, uses signed digits in [-2^(c-1), 2^(c-1))
 * (half the buckets; negating a point is free) and never adds into or out of an empty bucket. Cost:
 * ⌈bits / c⌉ windows × (n + 2^c) additions, a carry window of about n / 2, plus (bits) doublings.
 *
 * The additions are noble's complete projective formulas, so equal or opposite points (which an adversary
 * can submit) need no special case. Works for any noble projective point class (G1 and G2 here).
 * `msmShortAffine` below is the faster variant the batch check uses; this one is its simple reference.
 */

/** The operations of a noble projective point that the bucket method needs. */
export interface MsmPoint<P> {
  add(other: P): P;
  double(): P;
  negate(): P;
}

/**
 * Window width (bits) for n points with `bits`-bit scalars, minimising the addition count: ⌊bits / c⌋
 * full windows of n + 2^c additions, plus a top window holding the remaining bits and the last carry.
 * For n = 2,000 and 64-bit weights this picks c = 8. Measured on bn254 on the loaded 2-core machine
 * (load average ≈ 9, one run each): projective `msmShort` G2 c = 7 / 8 / 9 → 783 / 710 / 738 ms,
 * G1 → 270 / 284 / 343 ms; `msmShortAffine` G2 c = 6 / 7 / 8 / 9 → 571 / 490 / 409 / 595 ms,
 * G1 → 222 / 201 / 226 / 144 ms (G1 differences are within the load noise). c = 8 is the best for G2,
 * which dominates, and within noise for G1, so one formula serves both groups.
 */
export function msmWindow(n: number, bits: number): number {
  let best = 1;
  let bestCost = Infinity;
  for (let c = 2; c <= 16; c++) {
    const rest = bits % c;
    const top = rest === 0 ? n / 2 : n + 2 ** rest;
    const cost = Math.floor(bits / c) * (n + 2 ** (c - 1) * 2) + top + bits;
    if (cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * Signed base-2^c digits of 0 ≤ k < 2^bits, least significant first: k = Σ dⱼ·2^(c·j) with
 * dⱼ ∈ [-2^(c-1), 2^(c-1)). After ⌈bits / c⌉ digits at most a carry of 1 is left, which the last digit
 * holds (1 < 2^(c-1) as c ≥ 2), so ⌈bits / c⌉ + 1 digits always suffice.
 */
function signedDigits(k: bigint, c: number, count: number): Int32Array {
  const digits = new Int32Array(count);
  const width = BigInt(c);
  const mask = (1n << width) - 1n;
  const half = 1 << (c - 1);
  for (let j = 0; j < count && k > 0n; j++) {
    let d = Number(k & mask);
    k >>= width;
    if (d >= half) {
      d -= 1 << c;
      k += 1n;
    }
    digits[j] = d;
  }
  if (k !== 0n) throw new Error("msm: scalar wider than the declared bit length");
  return digits;
}

/**
 * The window `c` (given, or chosen for `n` points) and every scalar's signed digits in it, with `windows`:
 * how many digit positions are used (the carry window is often empty). Throws on a window outside 2..20
 * or a scalar outside [0, 2^bits).
 */
function scalarDigits(n: number, scalars: readonly bigint[], bits: number, window?: number): { c: number; digits: Int32Array[]; windows: number } {
  const c = window ?? msmWindow(n, bits);
  if (!Number.isInteger(c) || c < 2 || c > 20) throw new Error(`msm: window ${c} outside 2..20`);
  const count = Math.ceil(bits / c) + 1;
  let windows = 0;
  const bound = 1n << BigInt(bits);
  const digits = scalars.map((k) => {
    if (k < 0n || k >= bound) throw new Error(`msm: scalar outside [0, 2^${bits})`);
    const d = signedDigits(k, c, count);
    for (let j = count - 1; j >= windows; j--) if (d[j] !== 0) windows = j + 1;
    return d;
  });
  return { c, digits, windows };
}

/**
 * Σ scalars[i]·points[i]. `zero` is the group's identity; scalars must be in [0, 2^bits). Throws on a
 * length mismatch or a scalar out of range (a programming error, not bad network input).
 */
export function msmShort<P extends MsmPoint<P>>(zero: P, points: readonly P[], scalars: readonly bigint[], bits: number, window?: number): P {
  if (points.length !== scalars.length) throw new Error(`msm: ${points.length} points but ${scalars.length} scalars`);
  if (points.length === 0) return zero;
  const { c, digits, windows } = scalarDigits(points.length, scalars, bits, window);
  const buckets: (P | undefined)[] = new Array(1 << (c - 1));
  let total: P | undefined;
  for (let j = windows - 1; j >= 0; j--) {
    if (total !== undefined) for (let b = 0; b < c; b++) total = total.double();
    buckets.fill(undefined);
    for (let i = 0; i < points.length; i++) {
      const d = digits[i][j];
      if (d === 0) continue;
      const slot = (d > 0 ? d : -d) - 1;
      const point = d > 0 ? points[i] : points[i].negate();
      const bucket = buckets[slot];
      buckets[slot] = bucket === undefined ? point : bucket.add(point);
    }
    // Σ (slot + 1)·bucket[slot] by running sums, from the top bucket down.
    let running: P | undefined;
    let windowSum: P | undefined;
    for (let slot = buckets.length - 1; slot >= 0; slot--) {
      const bucket = buckets[slot];
      if (bucket !== undefined) running = running === undefined ? bucket : running.add(bucket);
      if (running !== undefined) windowSum = windowSum === undefined ? running : windowSum.add(running);
    }
    if (windowSum !== undefined) total = total === undefined ? windowSum : total.add(windowSum);
  }
  return total ?? zero;
}

/** The field operations the affine bucket accumulation needs (noble's Fp and Fp2 fields). */
export interface MsmField<T> {
  readonly ONE: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  sqr(a: T): T;
  neg(a: T): T;
  is0(a: T): boolean;
  invertBatch(values: T[]): T[];
}

/** A noble projective point class: identity and affine import. */
export interface MsmCurve<T, P> {
  readonly ZERO: P;
  fromAffine(point: { x: T; y: T }): P;
}

/** An affine point given by coordinates (never infinity: the inputs are parsed, non-zero points). */
export interface AffineXY<T> {
  readonly x: T;
  readonly y: T;
}

/**
 * `msmShort` with the bucket accumulation (≈ 90 % of the additions) done in AFFINE coordinates, many
 * additions at a time: each round pairs up the points waiting in every bucket and computes all their
 * slopes with one batched inversion (Montgomery's trick: 3 multiplications per element plus one
 * inversion per round), so an addition costs ~6 field multiplications instead of the ~12 of a
 * projective one. A pair with equal x (equal or opposite points, which an adversary can submit) cannot
 * use the affine slope formula; it is added with the complete projective formulas into a side sum of
 * its bucket instead. Bucket and window sums are then combined in projective coordinates as in
 * `msmShort`, which this function must always agree with (tested).
 */
export function msmShortAffine<T, P extends MsmPoint<P>>(
  curve: MsmCurve<T, P>,
  field: MsmField<T>,
  points: readonly AffineXY<T>[],
  scalars: readonly bigint[],
  bits: number,
  window?: number,
): P {
  if (points.length !== scalars.length) throw new Error(`msm: ${points.length} points but ${scalars.length} scalars`);
  if (points.length === 0) return curve.ZERO;
  const { c, digits, windows } = scalarDigits(points.length, scalars, bits, window);
  const negatedY = points.map((p) => field.neg(p.y));
  const slots = 1 << (c - 1);
  let total: P | undefined;
  for (let j = windows - 1; j >= 0; j--) {
    if (total !== undefined) for (let b = 0; b < c; b++) total = total.double();
    const pending: AffineXY<T>[][] = Array.from({ length: slots }, () => []);
    const side: (P | undefined)[] = new Array(slots);
    for (let i = 0; i < points.length; i++) {
      const d = digits[i][j];
      if (d === 0) continue;
      pending[(d > 0 ? d : -d) - 1].push(d > 0 ? points[i] : { x: points[i].x, y: negatedY[i] });
    }
    for (;;) {
      const pairs: { slot: number; a: AffineXY<T>; b: AffineXY<T> }[] = [];
      for (let slot = 0; slot < slots; slot++) {
        const list = pending[slot];
        if (list.length < 2) continue;
        const keep = list.length & 1 ? [list[list.length - 1]] : [];
        for (let k = 0; k + 1 < list.length; k += 2) {
          const a = list[k];
          const b = list[k + 1];
          if (field.is0(field.sub(b.x, a.x))) {
            const sum = curve.fromAffine(a).add(curve.fromAffine(b));
            side[slot] = side[slot] === undefined ? sum : side[slot]!.add(sum);
          } else pairs.push({ slot, a, b });
        }
        pending[slot] = keep;
      }
      if (pairs.length === 0) break;
      const inverses = field.invertBatch(pairs.map((p) => field.sub(p.b.x, p.a.x)));
      pairs.forEach(({ slot, a, b }, k) => {
        const lambda = field.mul(field.sub(b.y, a.y), inverses[k]);
        const x = field.sub(field.sub(field.sqr(lambda), a.x), b.x);
        const y = field.sub(field.mul(lambda, field.sub(a.x, x)), a.y);
        pending[slot].push({ x, y });
      });
    }
    let running: P | undefined;
    let windowSum: P | undefined;
    for (let slot = slots - 1; slot >= 0; slot--) {
      const left = pending[slot].length === 1 ? curve.fromAffine(pending[slot][0]) : undefined;
      const bucket = left === undefined ? side[slot] : side[slot] === undefined ? left : left.add(side[slot]!);
      if (bucket !== undefined) running = running === undefined ? bucket : running.add(bucket);
      if (running !== undefined) windowSum = windowSum === undefined ? running : windowSum.add(running);
    }
    if (windowSum !== undefined) total = total === undefined ? windowSum : total.add(windowSum);
  }
  return total ?? curve.ZERO;
}
