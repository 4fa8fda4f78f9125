// plan(snapshot, settings) → decisions and ECS writes. Pure: no I/O, no clock (the snapshot's observedAt is
// "now"), no randomness. Order of work: surge repairs first (always), then the filters, then the strategy on the
// unbalanced services, most surplus first, within the pass budget.

import type { ClusterSnapshot, Service } from "../model";
import type { Settings } from "../settings";
import { BinTree, evaluateBalance, type Balance } from "./balance";
import { buildLayout, type LayoutContext, type ServiceLayout } from "./bins";
import { ClusterIndex } from "./clusterIndex";
import { decodeLastMove, LAST_MOVE_TAG, situationFingerprint } from "./markers";
import { minimalStrategy } from "./minimal";
import { redeployStrategy } from "./redeploy";
import { serviceRefusal } from "./serviceFilter";
import type { RebalanceStrategy } from "./strategy";
import { repairSurge } from "./surgeRepair";
import type { Action, Plan, PlanMetrics, ServiceDecision } from "./types";

export type { Plan, ServiceDecision, Action } from "./types";

export interface PlanOptions {
    /** Final round: tasks whose scale-in protection was not read count as protected. */
    unreadProtectionIsProtected?: boolean;
}

const STRATEGIES: Record<Settings["strategy"], RebalanceStrategy> = { minimal: minimalStrategy, redeploy: redeployStrategy };

interface Candidate {
    service: Service;
    layout: ServiceLayout;
    tree: BinTree;
    balance: Balance;
    fingerprint: string;
}

function emptyDecision(service: Service): ServiceDecision {
    return {
        service: service.name, serviceArn: service.arn, outcome: "skipped", detail: "", levels: [], byLevel: {},
        skewBefore: 0, skewAfter: 0, lowerBound: 0, moves: 0, lowerBoundAfter: 0,
    };
}

function withBalance(decision: ServiceDecision, layout: ServiceLayout, balance: Balance): ServiceDecision {
    return {
        ...decision, levels: layout.levels, byLevel: balance.byLevel, skewBefore: balance.skew, skewAfter: balance.skew,
        lowerBound: balance.lowerBound, lowerBoundAfter: balance.lowerBound,
    };
}

function metricsOf(decisions: ServiceDecision[]): PlanMetrics {
    const m: PlanMetrics = {
        services: decisions.length, servicesBalanced: 0, servicesUnbalanced: 0, servicesSkipped: 0, tasksToMove: 0,
        lowerBound: 0, worstSkewBefore: 0, worstSkewAfter: 0, skipReasons: {},
    };
    for (const d of decisions) {
        if (d.outcome === "balanced") m.servicesBalanced++;
        if (d.outcome === "skipped") {
            m.servicesSkipped++;
            if (d.reason) m.skipReasons[d.reason] = (m.skipReasons[d.reason] ?? 0) + 1;
        }
        if (d.lowerBound > 0) m.servicesUnbalanced++;
        m.tasksToMove += d.moves;
        m.lowerBound += d.lowerBound;
        m.worstSkewBefore = Math.max(m.worstSkewBefore, d.skewBefore);
        m.worstSkewAfter = Math.max(m.worstSkewAfter, d.skewAfter);
    }
    return m;
}

export function plan(snapshot: ClusterSnapshot, settings: Settings, options: PlanOptions = {}): Plan {
    const index = new ClusterIndex(snapshot);
    const ctx: LayoutContext = { index, memberOfCache: new Map(), unreadTaskDefinitions: new Set() };
    const now = snapshot.observedAt;
    const threshold = settings.skewThreshold;
    const decisions = new Map<string, ServiceDecision>();
    const repairs: Action[] = [];
    const candidates: Candidate[] = [];

    const services = [...snapshot.services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const service of services) {
        const base = emptyDecision(service);
        const repair = repairSurge(service, now, settings.surgeTimeoutSeconds);
        if (repair) {
            decisions.set(service.arn, { ...base, outcome: repair.outcome, detail: repair.detail });
            repairs.push(...repair.actions);
            continue;
        }
        const refusal = serviceRefusal(service, settings.skipTag);
        if (refusal) {
            decisions.set(service.arn, { ...base, reason: refusal.reason, detail: refusal.detail });
            continue;
        }
        const built = buildLayout(service, ctx);
        if ("skip" in built) {
            decisions.set(service.arn, { ...base, reason: built.skip.reason, detail: built.skip.detail });
            continue;
        }
        const { layout } = built;
        const tree = new BinTree(layout);
        const balance = evaluateBalance(tree, layout.counts, threshold);
        if (balance.lowerBound === 0) {
            const detail = balance.skew <= threshold
                ? `within the skew threshold (${balance.skew} ≤ ${threshold})`
                : `skew ${balance.skew}, but no move can lower it (capacity or constraints)`;
            decisions.set(service.arn, withBalance({ ...base, outcome: "balanced", detail }, layout, balance));
            continue;
        }
        const fingerprint = situationFingerprint(service.desiredCount, service.taskDefinition, layout.instances.map((i) => index.instances[i].arn));
        const last = decodeLastMove(service.tags[LAST_MOVE_TAG]);
        if (last && last.fingerprint === fingerprint && balance.lowerBound >= last.lowerBound && balance.skew >= last.skew) {
            decisions.set(service.arn, withBalance({
                ...base,
                reason: last.kind === "redeploy" ? "redeploy-did-not-help" : "no-improvement",
                detail: `the last ${last.kind} lowered neither the surplus (${last.lowerBound} → ${balance.lowerBound}) nor the skew (${last.skew} → ${balance.skew}); waiting for the service or its instances to change`,
            }, layout, balance));
            continue;
        }
        candidates.push({ service, layout, tree, balance, fingerprint });
    }

    // Most surplus first, so a small budget goes where it helps most.
    candidates.sort((a, b) => b.balance.lowerBound - a.balance.lowerBound || (a.service.name < b.service.name ? -1 : 1));
    const strategy = STRATEGIES[settings.strategy];
    const moves: Action[] = [];
    const unreadProtection: string[] = [];
    let budget = settings.maxMovesPerPass;
    let ledgerChanged = false;
    for (let c of candidates) {
        const base = withBalance(emptyDecision(c.service), c.layout, c.balance);
        if (budget <= 0) {
            decisions.set(c.service.arn, { ...base, reason: "pass-cap-reached", detail: `this pass already moves ${settings.maxMovesPerPass} task(s); next pass` });
            continue;
        }
        if (ledgerChanged) {
            // Earlier services' predicted placements used free capacity: look again with what is left.
            const rebuilt = buildLayout(c.service, ctx);
            if ("skip" in rebuilt) {
                decisions.set(c.service.arn, { ...base, reason: rebuilt.skip.reason, detail: rebuilt.skip.detail });
                continue;
            }
            const tree = new BinTree(rebuilt.layout);
            c = { ...c, layout: rebuilt.layout, tree, balance: evaluateBalance(tree, rebuilt.layout.counts, threshold) };
            if (c.balance.lowerBound === 0) {
                decisions.set(c.service.arn, withBalance({ ...base, outcome: "balanced", detail: "no move left once other services' moves are counted" }, c.layout, c.balance));
                continue;
            }
        }
        const tasks = index.tasksOf(c.service.name);
        const result = strategy.planService({
            service: c.service, tasks, layout: c.layout, tree: c.tree, balance: c.balance, index, settings, now, budget,
            fingerprint: c.fingerprint, unreadProtectionIsProtected: options.unreadProtectionIsProtected ?? false,
        });
        if (result.outcome === "redeploy" && result.moves > budget && budget < settings.maxMovesPerPass) {
            decisions.set(c.service.arn, { ...withBalance(emptyDecision(c.service), c.layout, c.balance), reason: "pass-cap-reached", detail: `a redeploy replaces ${result.moves} task(s); ${budget} left in this pass` });
            continue;
        }
        const after = evaluateBalance(c.tree, result.predictedCounts, threshold);
        const predicted = result.outcome === "redeploy" ? c.balance : after;
        decisions.set(c.service.arn, {
            ...withBalance(emptyDecision(c.service), c.layout, c.balance),
            outcome: result.outcome,
            reason: result.reason,
            detail: result.detail,
            moves: result.moves,
            skewAfter: result.outcome === "redeploy" ? c.balance.skew : after.skew,
            lowerBoundAfter: predicted.lowerBound,
        });
        moves.push(...result.actions);
        unreadProtection.push(...result.unreadProtection);
        budget -= result.moves;
        for (const [i, n] of result.placements) {
            for (let k = 0; k < n; k++) index.reserve(i, c.layout.shape.cpu, c.layout.shape.memory, c.layout.shape.staticPorts);
            ledgerChanged = true;
        }
    }

    const ordered = services.map((s) => decisions.get(s.arn)!);
    return {
        clusterArn: snapshot.clusterArn,
        strategy: settings.strategy,
        decisions: ordered,
        actions: [...repairs, ...moves],
        unreadProtection,
        unreadTaskDefinitions: [...ctx.unreadTaskDefinitions].sort(),
        metrics: metricsOf(ordered),
    };
}
