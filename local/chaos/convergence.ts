// Did the cluster converge? Judged with the scenario runner's own lower bound (lowerBound.ts: the water-filling
// even split over the instances that can hold the service's task, independent of the planner), computed on the
// final running counts: a service converged when the bound says no move is left (skew ≤ 1 where capacity,
// constraints and capacity providers allow). The bound already leaves out what the rebalancer must not touch
// (DAEMON, binpack/random first, opted out, desired 0). Exempt here, because no safe move exists for them:
//   - a service with no room either way: it can neither surge (floor(d × max% / 100) ≤ d, or Service Auto
//     Scaling owns its desiredCount, which the rebalancer then never raises) nor stop a task
//     (ceil(d × min% / 100) ≥ d), e.g. min 100% with max 100%;
//   - a service holding scale-in protected tasks (the bound does not know protection; the planner never stops them);
//   - a service with a memberOf expression on other tasks or changing counts (task:group, runningTasksCount): where
//     ECS would place a moved task cannot be predicted, and the planner is documented to leave it alone;
//   - a service split between capacity providers: the bound balances AZs and instances inside each provider, but
//     ECS picks the provider by base and weight and then spreads over the service's tasks in every provider, so
//     the bound's target is not one ECS's placement aims at (an open item for the runner's bound);
//   - a service that is mid-deployment at the end, which DESIGN.md says never to touch: more than one deployment,
//     a rollout not COMPLETED, or running ≠ desired (ECS cannot place all its tasks: capacity ran short);
//   - with the redeploy strategy, a service the rebalancer did redeploy (UpdateService forceNewDeployment seen
//     among its calls): ECS's rolling deployment places the new tasks within maximumPercent while the old ones
//     still hold their room, so it may not reach the even split, and DESIGN.md's flap guard then leaves the
//     service alone until it changes. Counted apart (redeployLeftSurplus) so it stays visible.
// And the run must have ended quiet: a full pass over the still cluster chose to do nothing.

import { serviceLowerBound } from "../scenario/lowerBound";
import type { ScenarioWorld } from "../scenario/world";
import type { CheckResult } from "./checks";

export const REDEPLOYED = "redeployed: ECS placed the new tasks";

export interface ServiceConvergence {
    service: string;
    remainingMoves: number;
    exempt?: string;
}

/** Why no safe move exists for a service with this owner desiredCount, or undefined when one may. */
export function noSafeMove(desired: number, minimumHealthyPercent: number, maximumPercent: number, autoScaled = false): string | undefined {
    const canSurge = !autoScaled && Math.floor((desired * maximumPercent) / 100) > desired;
    const canStop = Math.ceil((desired * minimumHealthyPercent) / 100) < desired;
    if (canSurge || canStop) return undefined;
    return `no room to ${autoScaled ? "stop (Service Auto Scaling owns desiredCount)" : "surge or stop"} (desired ${desired}, min ${minimumHealthyPercent}%, max ${maximumPercent}%)`;
}

export interface ConvergenceContext {
    skipTag: string;
    /** Services whose desiredCount Service Auto Scaling owns. */
    autoScaled?: ReadonlySet<string>;
    /** Services the rebalancer redeployed (redeploy strategy). */
    redeployed?: ReadonlySet<string>;
}

interface ServiceView {
    desiredCount?: number;
    runningCount?: number;
    pendingCount?: number;
    deployments?: { rolloutState?: string }[];
}

/** Why the service is mid-deployment as DESIGN.md defines it, or undefined. */
export function midDeployment(s: ServiceView): string | undefined {
    const deployments = s.deployments ?? [];
    if (deployments.length > 1) return `mid-deployment: ${deployments.length} deployments`;
    if (deployments[0]?.rolloutState !== undefined && deployments[0].rolloutState !== "COMPLETED") return `mid-deployment: rollout ${deployments[0].rolloutState}`;
    if (s.runningCount !== s.desiredCount || (s.pendingCount ?? 0) > 0) return `mid-deployment: ${s.runningCount} running of ${s.desiredCount}`;
    return undefined;
}

export function serviceConvergence(world: ScenarioWorld, context: ConvergenceContext): ServiceConvergence[] {
    const { skipTag, autoScaled = new Set<string>(), redeployed = new Set<string>() } = context;
    const counts = world.runningCounts();
    const snapshot = world.control.snapshot(world.scenario.cluster);
    const out: ServiceConvergence[] = [];
    for (const { service, instances } of world.boundInputs(counts, skipTag)) {
        const remainingMoves = serviceLowerBound(service, instances);
        const spec = world.scenario.services.find((s) => s.name === service.name)!;
        const desired = world.ownerDesired.get(service.name) ?? spec.desiredCount;
        const protectedTasks = snapshot.tasks.filter((t) => t.serviceName === service.name && t.protected).length;
        const unpredictable = spec.placementConstraints.find((c) => c.type === "memberOf" && /task:group|runningTasksCount/.test(c.expression ?? ""));
        const exempt = noSafeMove(desired, spec.minimumHealthyPercent, spec.maximumPercent, autoScaled.has(service.name)) ??
            (unpredictable ? `placement cannot be predicted: memberOf ${unpredictable.expression}` : undefined) ??
            (remainingMoves > 0 && service.levels.includes("provider") ? "split between capacity providers (the bound nests AZs inside each)" : undefined) ??
            (remainingMoves > 0 ? midDeployment(world.control.service(world.scenario.cluster, service.name) as ServiceView) : undefined) ??
            (remainingMoves > 0 && protectedTasks > 0 ? `${protectedTasks} task(s) protected from scale-in` : undefined) ??
            (remainingMoves > 0 && redeployed.has(service.name) ? REDEPLOYED : undefined);
        out.push({ service: service.name, remainingMoves, ...(exempt ? { exempt } : {}) });
    }
    return out;
}

/**
 * 0 or 1: the run converged, or it did not (with why). `lastDecision` says what the rebalancer's last completed
 * pass decided for a service, for the report only (the check never relies on it).
 */
export function checkConvergence(services: readonly ServiceConvergence[], quiet: { reached: boolean; stoppedBy?: string }, lastDecision: (service: string) => string | undefined = () => undefined): CheckResult {
    const details: string[] = [];
    if (!quiet.reached) details.push(`the rebalancer never went quiet after the faults stopped (${quiet.stoppedBy})`);
    for (const s of services) {
        if (s.remainingMoves === 0 || s.exempt) continue;
        const decision = lastDecision(s.service);
        details.push(`${s.service}: ${s.remainingMoves} move(s) left by the runner's lower bound${decision ? `; its last pass: ${decision}` : ""}`);
    }
    return { count: details.length > 0 ? 1 : 0, details };
}
