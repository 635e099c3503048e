import type { InstanceType } from '../catalog/instance-type.ts';
import { matchesTypePattern } from '../catalog/type-pattern.ts';
import { packItems } from '../packing/pack.ts';
import type { BinKind, ItemGroup, KindLimit, PackingResult } from '../packing/pack-types.ts';
import { DIMENSIONS } from '../resources.ts';
import { explainNoCompatibleType } from './compatibility.ts';
import { budgetRefusal, launchBudget, minBy, spend, type LaunchBudget } from './launch-budget.ts';
import { buildJobClasses, type JobClass } from './job-classes.ts';
import { fullness, placeOnSlots, type Slot } from './place-on-slots.ts';
import { shareRule } from './share-rule.ts';
import type { FleetNode, PlacementPolicy, Plan, PlannerInput, WaitReason } from './plan-types.ts';

type Placement = { jobId: string; nodeId: string };
type Launch = { type: string; jobIds: string[] };
type Waiting = { jobId: string; reason: WaitReason };

/**
 * The placement planner: pending jobs, the fleet, the catalog and the policy in; a
 * plan out. Pure and deterministic.
 *
 * 1. Registered nodes first, fullest first (sunk cost; consolidates work), where the share
 *    rule (share-rule.ts) lets a job join.
 * 2. Then nodes already launching (they are paid for too), by the same rule.
 * 3. Then new instances, priority tier by tier: leftover room on instances planned for
 *    a higher tier first, then the cheapest fleet the packing engine finds for the
 *    rest, cut to the policy's limits keeping the instances that carry the most work
 *    per dollar.
 * Every job ends in exactly one of starts, bindings, launches, waiting (with a reason).
 *
 * A job the share rule sent towards an instance of its own that the budget then refused
 * (this round's launches may use it up) may join a node after all: the round is planned
 * again with the rule off for those jobs, so they take room in priority order rather than
 * after whatever lower-priority job got there first.
 */
export function planFleet(input: PlannerInput): Plan {
  const plan = planRound(input, NO_JOBS);
  if (!((input.policy.sharePriceRatio ?? 0) > 0)) return plan;
  const refused = plan.waiting.flatMap((w) => (BUDGET_CODES.has(w.reason.code) ? [w.jobId] : []));
  return refused.length === 0 ? plan : planRound(input, new Set(refused));
}

const NO_JOBS: ReadonlySet<string> = new Set();

/**
 * One plan of the round. Per class, as many jobs as it has in `refusedOwn` (the budget
 * refused them an instance of their own in a first plan) may join nodes the share rule
 * would keep them off; the class's oldest go first, as everywhere.
 */
function planRound(input: PlannerInput, refusedOwn: ReadonlySet<string>): Plan {
  const { catalog, policy } = input;
  const typeIndex = new Map(catalog.map((t, i) => [t.name, i]));
  const classes = buildJobClasses(input.jobs, catalog);
  const taken = new Int32Array(classes.length);

  const starts: Placement[] = [];
  const bindings: Placement[] = [];
  const usable = input.nodes.filter((n) => n.state !== 'draining' && typeIndex.has(n.type));
  const budget = launchBudget(input);
  const mayShare = shareRule(input, catalog, budget);
  const exempt = Int32Array.from(classes, (c) => (refusedOwn.size === 0 ? 0 : c.jobs.filter((j) => refusedOwn.has(j.id)).length));
  const registeredSlots = slotsFullestFirst(usable, 'registered', typeIndex, catalog);
  const launchingSlots = slotsFullestFirst(usable, 'launching', typeIndex, catalog);
  placeOnSlots(
    classes,
    taken,
    [
      { slots: registeredSlots, place: (slot, ids) => ids.forEach((jobId) => starts.push({ jobId, nodeId: slot.id })) },
      { slots: launchingSlots, place: (slot, ids) => ids.forEach((jobId) => bindings.push({ jobId, nodeId: slot.id })) },
    ],
    mayShare,
    exempt,
  );
  const waiting: Waiting[] = [];
  // Room running tasks should give back within the horizon (about a boot): waiting for it buys nothing new.
  const horizon = policy.reuseWithinSeconds ?? 0;
  if (horizon > 0) {
    const nodeById = new Map(usable.map((n) => [n.id, n]));
    const soon = new Map<string, { node: FleetNode; inSeconds: number }>();
    // In the registered nodes' order, from what this round's starts left free.
    const slots = registeredSlots.flatMap((slot) => {
      const node = nodeById.get(slot.id)!;
      const due = (node.releases ?? []).filter((r) => r.inSeconds <= horizon);
      if (due.length === 0) return [];
      soon.set(node.id, { node, inSeconds: Math.max(...due.map((r) => r.inSeconds)) });
      return [{ ...slot, free: DIMENSIONS.map((d, k) => slot.free[k]! + due.reduce((sum, r) => sum + r.resources[d], 0)) }];
    });
    // Only jobs that have not used up their wait for released room (mayWaitForRelease) wait for it.
    const waitingIds = new Set<string>();
    if (slots.length > 0) {
      const eligible = classes.map((c, i) => ({ ...c, jobs: c.jobs.slice(taken[i]!).filter((j) => j.mayWaitForRelease !== false) }));
      const waitFor = (slot: Slot, ids: readonly string[]): void => {
        const { node, inSeconds } = soon.get(slot.id)!;
        const reason: WaitReason = {
          code: 'capacity-soon',
          message: `waiting for ${node.type} ${node.id}: its running tasks should free room within about ${Math.ceil(inSeconds)} s (policy.reuseWithinSeconds: ${horizon} s)`,
        };
        for (const jobId of ids) {
          waiting.push({ jobId, reason });
          waitingIds.add(jobId);
        }
      };
      placeOnSlots(eligible, new Int32Array(classes.length), [{ slots, place: waitFor }], mayShare, exempt);
    }
    // The waiting jobs count as placed: they join the placed prefix of their class (`taken`), so
    // what follows takes the rest, oldest first.
    if (waitingIds.size > 0) {
      classes.forEach((c, i) => {
        const rest = c.jobs.slice(taken[i]!);
        const waits = rest.filter((j) => waitingIds.has(j.id));
        if (waits.length === 0) return;
        c.jobs.length = taken[i]!;
        for (const j of waits) c.jobs.push(j);
        for (const j of rest) if (!waitingIds.has(j.id)) c.jobs.push(j);
        taken[i]! += waits.length;
      });
    }
  }

  // Catalog indices per typeLimits pattern, in the budget's order: the packing engine's kind limits.
  const limitKinds = budget.typeRooms.map((r) => catalog.flatMap((t, k) => (matchesTypePattern(t.name, r.pattern) ? [k] : [])));
  const launches: (Launch & { slot: Slot })[] = [];
  const launchOfSlot = new Map<Slot, Launch>();
  const kinds: BinKind[] = catalog.map((t) => ({ capacity: DIMENSIONS.map((d) => t.allocatable[d]), cost: t.pricePerHour + policy.instancePenaltyPerHour }));
  const dearest = Math.max(0, ...kinds.map((k) => k.cost));

  for (const tier of [...new Set(classes.map((c) => c.priority))]) {
    const tierClasses = classes.map((c, i) => ({ c, i })).filter(({ c }) => c.priority === tier);
    // Room left on instances planned for higher tiers.
    const tierTaken = Int32Array.from(tierClasses, ({ i }) => taken[i]!);
    placeOnSlots(tierClasses.map(({ c }) => c), tierTaken, [{ slots: launches.map((l) => l.slot), place: (slot, ids) => launchOfSlot.get(slot)!.jobIds.push(...ids) }]);
    tierClasses.forEach(({ i }, t) => (taken[i] = tierTaken[t]!));

    // Jobs of this tier still without capacity, per class, oldest first. Each round packs
    // them onto the types the budget still affords; instances the budget refuses send
    // their jobs to the next round, which packs them onto what is left (smaller, cheaper).
    let queues = tierClasses.map(({ c, i }) => ({ c, jobs: c.jobs.slice(taken[i]!) })).filter((q) => q.jobs.length > 0);
    while (queues.length > 0) {
      const affordable = (k: number): boolean => budget.instances > 0 && catalog[k]!.pricePerHour <= budget.cost + 1e-9;
      const groups: ItemGroup[] = queues.map(({ c, jobs }) => ({
        demand: DIMENSIONS.map((d) => c.demand[d]),
        count: jobs.length,
        kinds: c.allowedTypes.reduce<number[]>((ks, allowed, k) => (allowed && affordable(k) ? [...ks, k] : ks), []),
      }));
      const limits: KindLimit[] = budget.typeRooms.map((r, i) => ({ kinds: limitKinds[i]!, max: Math.max(0, r.room) }));
      let packing = packItems(groups, kinds, { limits });
      // Jobs left out although some type they may use is affordable: a type limit held them back.
      const heldBack = (p: typeof packing): number => p.unpacked.reduce((sum, n, g) => sum + (groups[g]!.kinds.length > 0 ? n : 0), 0);
      const overBudget = instanceCount(packing.bins) > budget.instances;
      const filledLimits = limitKinds.filter((ks, i) => packing.bins.reduce((n, bin) => n + (ks.includes(bin.kind) ? bin.copies : 0), 0) >= Math.max(0, budget.typeRooms[i]!.room));
      if (overBudget || (heldBack(packing) > 0 && filledLimits.length > 0)) {
        // Instance counts bind (maxInstances, or a type limit the packing filled): pack again
        // with a surcharge on each instance where counts bind, so fewer, larger instances
        // carry the work. The surcharge rises until the packing fits the instances allowed:
        // the dearest type's price on top of each at most, but only as much as needed, since
        // a larger one buys the largest types whatever they cost (192-vCPU GPU instances for
        // CPU jobs).
        const countLimited = (k: number): boolean => overBudget || filledLimits.some((ks) => ks.includes(k));
        for (const share of SURCHARGE_SHARES) {
          // Construction only (effort 0): the improvement search would cost seconds on a tier of 100k jobs.
          const candidate = packItems(
            groups,
            kinds.map((kind, k) => (countLimited(k) ? { capacity: kind.capacity, cost: kind.cost + share * dearest } : kind)),
            { limits, effort: 0 },
          );
          if (preferUnderCount(candidate, packing, { allowed: budget.instances, overBudget, heldBack, kinds })) packing = candidate;
          if (heldBack(candidate) === 0 && (!overBudget || instanceCount(candidate.bins) <= budget.instances)) break;
        }
      }

      const next = new Map<number, (typeof queues)[number]['jobs']>();
      const consumed = new Int32Array(queues.length);
      const instances = packing.bins
        .flatMap((bin) =>
          Array.from({ length: bin.copies }, () => {
            const jobs: { group: number; job: (typeof queues)[number]['jobs'][number] }[] = [];
            const free = kinds[bin.kind]!.capacity.slice();
            let size = 0;
            for (const { group, count } of bin.contents) {
              const { c, jobs: queue } = queues[group]!;
              for (const job of queue.slice(consumed[group]!, consumed[group]! + count)) jobs.push({ group, job });
              consumed[group]! += count;
              size += count * c.size;
              DIMENSIONS.forEach((d, k) => (free[k]! -= count * c.demand[d]));
            }
            return { typeIndex: bin.kind, jobs, free, workPerDollar: size / kinds[bin.kind]!.cost };
          }),
        )
        .sort((a, b) => b.workPerDollar - a.workPerDollar);

      let accepted = 0;
      for (const instance of instances) {
        const type = catalog[instance.typeIndex]!;
        if (budgetRefusal(budget, type, policy)) {
          for (const { group, job } of instance.jobs) {
            const refused = next.get(group);
            if (refused) refused.push(job);
            else next.set(group, [job]);
          }
          continue;
        }
        accepted++;
        spend(budget, type);
        const jobIds = instance.jobs.map(({ job }) => job.id);
        const launch = { type: type.name, jobIds, slot: { id: `new-${launches.length}`, typeIndex: instance.typeIndex, free: instance.free } };
        launches.push(launch);
        launchOfSlot.set(launch.slot, launch);
      }

      packing.unpacked.forEach((count, group) => {
        if (count === 0) return;
        const { c, jobs: queue } = queues[group]!;
        const reason = unplaceableReason(c, catalog, budget, limitKinds, policy);
        for (const job of queue.slice(consumed[group]!, consumed[group]! + count)) waiting.push({ jobId: job.id, reason });
      });
      const refused = [...next].sort(([a], [b]) => a - b).map(([group, jobs]) => ({ c: queues[group]!.c, jobs }));
      if (accepted === 0) {
        for (const { c, jobs } of refused) for (const job of jobs) waiting.push({ jobId: job.id, reason: unplaceableReason(c, catalog, budget, limitKinds, policy) });
        break;
      }
      queues = refused;
    }
    tierClasses.forEach(({ c, i }) => (taken[i] = c.jobs.length));
  }

  return {
    starts,
    bindings,
    launches: launches.map(({ type, jobIds }) => ({ type, jobIds })),
    waiting,
    launchHourlyCost: launches.reduce((sum, l) => sum + catalog[typeIndex.get(l.type)!]!.pricePerHour, 0),
  };
}

/** Wait codes of a launch the budget refused. */
const BUDGET_CODES: ReadonlySet<WaitReason['code']> = new Set(['max-instances', 'max-hourly-cost', 'type-limit']);

/** Surcharges per instance, as shares of the dearest type's price, tried in turn when instance counts bind. */
const SURCHARGE_SHARES = [1 / 64, 1 / 16, 1 / 4, 1];

/**
 * Whether `candidate` beats `current` when instance counts bind: fewer jobs held back; then,
 * under maxInstances, fitting the instances allowed; then the cheaper of two that fit, or
 * the fewer instances of two that do not.
 */
function preferUnderCount(
  candidate: PackingResult,
  current: PackingResult,
  context: { readonly allowed: number; readonly overBudget: boolean; readonly heldBack: (p: PackingResult) => number; readonly kinds: readonly BinKind[] },
): boolean {
  const { allowed, overBudget, heldBack, kinds } = context;
  if (heldBack(candidate) !== heldBack(current)) return heldBack(candidate) < heldBack(current);
  if (!overBudget) return false;
  const [fits, fitsNow] = [instanceCount(candidate.bins) <= allowed, instanceCount(current.bins) <= allowed];
  if (fits !== fitsNow) return fits;
  // Priced without the surcharge, which differs between candidates.
  const price = (p: PackingResult): number => p.bins.reduce((sum, bin) => sum + bin.copies * kinds[bin.kind]!.cost, 0);
  return fits ? price(candidate) < price(current) : instanceCount(candidate.bins) < instanceCount(current.bins);
}

function instanceCount(bins: readonly { readonly copies: number }[]): number {
  return bins.reduce((sum, bin) => sum + bin.copies, 0);
}

function slotsFullestFirst(nodes: readonly FleetNode[], state: FleetNode['state'], typeIndex: ReadonlyMap<string, number>, catalog: readonly InstanceType[]): Slot[] {
  return nodes
    .filter((n) => n.state === state)
    .map((n) => {
      const t = typeIndex.get(n.type)!;
      const free = DIMENSIONS.map((d) => n.free[d]);
      const pricePerHour = n.pricePerHour ?? catalog[t]!.pricePerHour;
      return { slot: { id: n.id, typeIndex: t, free, ...(n.jobs !== undefined ? { jobs: n.jobs, pricePerHour } : {}) }, fullness: fullness(free, DIMENSIONS.map((d) => catalog[t]!.allocatable[d])) };
    })
    .sort((a, b) => b.fullness - a.fullness || (a.slot.id < b.slot.id ? -1 : a.slot.id > b.slot.id ? 1 : 0))
    .map((s) => s.slot);
}

/** Why a job of this class gets no new instance: impossible, then budget, then type limits. */
function unplaceableReason(c: JobClass, catalog: readonly InstanceType[], budget: LaunchBudget, limitKinds: readonly (readonly number[])[], policy: PlacementPolicy): WaitReason {
  const impossible = explainNoCompatibleType(c.demand, c.constraints, catalog);
  if (impossible) return { code: 'no-compatible-type', message: impossible.message };
  const cheapest = minBy(
    catalog.filter((_, k) => c.allowedTypes[k] === 1),
    (a, b) => a.pricePerHour - b.pricePerHour,
  )!;
  const refusal = budgetRefusal(budget, cheapest, policy);
  if (refusal) return refusal;
  const blocking = budget.typeRooms.filter((_, i) => limitKinds[i]!.some((k) => c.allowedTypes[k] === 1)).map((r) => `${r.pattern} (${r.max})`);
  return {
    code: 'type-limit',
    message: `every instance type that can hold it and fits the budget is at its limit in policy.typeLimits: ${blocking.join(', ')}`,
  };
}
