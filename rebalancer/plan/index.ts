// plan(snapshot, settings) → decisions and ECS writes. Pure: no I/O, no clock (the snapshot's observedAt is
// "now"), no randomness. Order of work: surge repairs first (always), then the filters and how balanced each
// service is, then the strategy on the unbalanced services, most surplus first, within the pass budget.

import type { ClusterSnapshot, Service } from "../model";
import type { Settings } from "../settings";
import { BinTree, evaluateBalance, type Balance } from "./balance";
import { buildLayout, fewerThanTwo, LEVEL_INSTANCE, levelsOf, type ServiceLayout } from "./bins";
import { azOwnership } from "./azOwnership";
import { ClusterIndex } from "./clusterIndex";
import { EligibilityCache } from "./eligibilityCache";
import { decodeLastMove, improvedSince, LAST_MOVE_TAG, situationFingerprint } from "./markers";
import { minimalStrategy } from "./minimal";
import { quickBalance } from "./quickBalance";
import { redeployStrategy } from "./redeploy";
import { isRequirements, requirementsOf, type Requirements, type RequirementsContext } from "./requirements";
import { serviceRefusal } from "./serviceFilter";
import { selectionRefusal, serviceSettings, type ServiceSettings } from "./serviceTags";
import type { MoveStreak, RebalanceStrategy } from "./strategy";
import { repairSurge } from "./surgeRepair";
import { chooseRestoreVictims } from "./restoreVictims";
import { reserveRoomForWaitingTasks } from "./waitingTasks";
import type { Action, LevelCounts, Plan, PlanMetrics, ServiceDecision } from "./types";

export type { Plan, ServiceDecision, Action } from "./types";

export interface PlanOptions {
    /** Final round: tasks whose scale-in protection was not read count as protected. */
    unreadProtectionIsProtected?: boolean;
    /** Report every service's tasks per instance (the operator CLI), not only those of services that move. */
    instanceDetail?: boolean;
}

const STRATEGIES: Record<Settings["strategy"], RebalanceStrategy> = { minimal: minimalStrategy, redeploy: redeployStrategy };

interface Judgement {
    levels: string[];
    fixedLevels: string[];
    lowerBound: number;
    skew: number;
    byLevel: Record<string, LevelCounts>;
}

interface Candidate {
    service: Service;
    /** The pass's settings with the service's tag overrides. */
    settings: Settings;
    marks: DecisionMarks;
    req: Requirements;
    judgement: Judgement;
    fingerprint: string;
    /** The last, unsure move did not help (a record without tries): only moves sure to lower the surplus now. */
    sureMovesOnly: boolean;
    streak: MoveStreak;
    /** ECS's AZ rebalancing owns the AZ level (azOwnership.ts). */
    ecsOwnsAzs: boolean;
}

/** What a decision says about the service's own settings: its tag overrides and whether its writes are dry-run only. */
type DecisionMarks = Pick<ServiceDecision, "overrides" | "dryRunOnly" | "azLevelTakenBack">;

function marksOf(own: ServiceSettings | undefined): DecisionMarks {
    if (!own) return {};
    return {
        ...(Object.keys(own.overrides).length > 0 ? { overrides: own.overrides } : {}),
        ...(own.dryRunOnly ? { dryRunOnly: true as const } : {}),
    };
}

function emptyDecision(service: Service): ServiceDecision {
    return {
        service: service.name, serviceArn: service.arn, outcome: "skipped", detail: "", levels: [], byLevel: {},
        skewBefore: 0, skewAfter: 0, lowerBound: 0, moves: 0, lowerBoundAfter: 0,
    };
}

function withJudgement(decision: ServiceDecision, j: Judgement): ServiceDecision {
    return {
        ...decision, levels: j.levels, byLevel: j.byLevel, skewBefore: j.skew, skewAfter: j.skew,
        ...(j.fixedLevels.length > 0 ? { fixedLevels: j.fixedLevels } : {}),
        lowerBound: j.lowerBound, lowerBoundAfter: j.lowerBound,
    };
}

/** The full layout's balance as a judgement; instances appear only where they hold or should hold tasks. */
function judgementOf(layout: ServiceLayout, balance: Balance): Judgement {
    const byLevel: Record<string, LevelCounts> = {};
    for (const [level, lc] of Object.entries(balance.byLevel)) {
        if (level !== LEVEL_INSTANCE) {
            byLevel[level] = lc;
            continue;
        }
        const sparse: LevelCounts = { counts: {}, targets: {} };
        for (const arn of Object.keys(lc.counts)) {
            if (lc.counts[arn] === 0 && lc.targets[arn] === 0) continue;
            sparse.counts[arn] = lc.counts[arn];
            sparse.targets[arn] = lc.targets[arn];
        }
        byLevel[level] = sparse;
    }
    return { levels: layout.levels, fixedLevels: layout.levels.filter((_, i) => layout.fixedLevels[i]), lowerBound: balance.lowerBound, skew: balance.skew, byLevel };
}

function metricsOf(decisions: ServiceDecision[]): PlanMetrics {
    const m: PlanMetrics = {
        services: decisions.length, servicesBalanced: 0, servicesUnbalanced: 0, servicesSkipped: 0, surgesInProgress: 0, tasksToMove: 0,
        lowerBound: 0, worstSkewBefore: 0, worstSkewAfter: 0, skipReasons: {},
    };
    for (const d of decisions) {
        if (d.outcome === "balanced") m.servicesBalanced++;
        if (d.outcome === "waiting") m.surgesInProgress++;
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
    const ctx: RequirementsContext = { index, memberOfCache: new Map() };
    // Read only for services that would move: a balanced service's host ports never matter.
    const unreadTaskDefinitions = new Set<string>();
    const cache = new EligibilityCache(index);
    const now = snapshot.observedAt;
    const decisions = new Map<string, ServiceDecision>();
    const repairs: Action[] = [];
    /** Tasks whose protection a surge's restore needs read before it can choose what stays. */
    const repairProtection: string[] = [];
    const candidates: Candidate[] = [];
    let revisitAt: number | undefined;

    // How balanced is each service? Aggregated (quickBalance) where that is exact, else on the full layout.
    const services = [...snapshot.services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const service of services) {
        const tagged = serviceSettings(service, settings);
        const own = "skip" in tagged ? undefined : tagged;
        const marks = marksOf(own);
        const base: ServiceDecision = { ...emptyDecision(service), ...marks };
        // A surge is finished or undone whatever the service's selection and tags say now (a repair is a write, so
        // a dryRun=true tag records it instead).
        const repair = repairSurge(service, {
            now,
            surgeTimeoutSeconds: settings.surgeTimeoutSeconds,
            tasks: index.tasksOf(service.name),
            unreadProtectionIsProtected: options.unreadProtectionIsProtected ?? false,
            chooseVictims: (count, ownersProtection) =>
                chooseRestoreVictims(service, count, index, ctx, ownersProtection, own?.settings.skewThreshold ?? settings.skewThreshold),
        });
        if (repair) {
            repairProtection.push(...(repair.unreadProtection ?? []));
            decisions.set(service.arn, {
                ...base, outcome: repair.outcome, detail: repair.detail,
                ...(repair.ageSeconds !== undefined ? { surgeAgeSeconds: repair.ageSeconds } : {}),
            });
            repairs.push(...repair.actions);
            continue;
        }
        const refusal = selectionRefusal(service, settings) ?? serviceRefusal(service, settings.skipTag) ?? ("skip" in tagged ? tagged.skip : undefined);
        if (refusal) {
            decisions.set(service.arn, { ...base, reason: refusal.reason, detail: refusal.detail });
            continue;
        }
        const serviceSettingsNow = own!.settings;
        const threshold = serviceSettingsNow.skewThreshold;
        const listed = index.tasksOf(service.name).length;
        if (listed !== service.desiredCount) {
            // The tasks and the service were read moments apart, or ECS is still starting or stopping some.
            decisions.set(service.arn, { ...base, reason: "mid-deployment", detail: `${listed} task(s) listed for desiredCount ${service.desiredCount}` });
            continue;
        }
        const req = requirementsOf(service, ctx);
        if (!isRequirements(req)) {
            decisions.set(service.arn, { ...base, reason: req.reason, detail: req.detail });
            continue;
        }
        const azOwner = azOwnership(service, req, index, cache, now, settings.azRebalancingGraceSeconds);
        const ecsOwnsAzs = azOwner.ecsOwns;
        if (azOwner.takenBack) marks.azLevelTakenBack = base.azLevelTakenBack = azOwner.takenBack;
        if (azOwner.reviewAt !== undefined) revisitAt = Math.min(revisitAt ?? Infinity, azOwner.reviewAt);
        const { levels, fixedLevels } = levelsOf(service, req, ecsOwnsAzs);
        const quick = options.instanceDetail ? undefined : quickBalance(service, req, levels, fixedLevels, index, cache, threshold);
        let judgement: Judgement;
        if (quick) {
            if (quick.bins < 2) {
                decisions.set(service.arn, { ...base, ...fewerThanTwo(quick.bins) });
                continue;
            }
            judgement = { levels, fixedLevels: levels.filter((_, i) => fixedLevels[i]), lowerBound: quick.lowerBound, skew: quick.skew, byLevel: quick.byLevel };
        } else {
            const built = buildLayout(service, req, index, { ecsOwnsAzs });
            if ("skip" in built) {
                decisions.set(service.arn, { ...base, reason: built.skip.reason, detail: built.skip.detail });
                continue;
            }
            judgement = judgementOf(built.layout, evaluateBalance(new BinTree(built.layout), built.layout.counts, threshold));
        }
        if (judgement.lowerBound === 0) {
            // Over the threshold with no move possible may only be the cautious port reading of an unread task
            // definition (every bound port taken as static): ask for it, or the service never moves.
            if (judgement.skew > threshold && req.unreadTaskDefinition) unreadTaskDefinitions.add(req.unreadTaskDefinition);
            const detail = judgement.skew <= threshold
                ? `within the skew threshold (${judgement.skew} ≤ ${threshold})`
                : `skew ${judgement.skew}, but no move can lower it (capacity or constraints)`;
            decisions.set(service.arn, withJudgement({ ...base, outcome: "balanced", detail }, judgement));
            continue;
        }
        const fingerprint = situationFingerprint(service.desiredCount, service.taskDefinition, cache.filterSet(req).hash);
        const last = decodeLastMove(service.tags[LAST_MOVE_TAG]);
        const notHelped = last !== undefined && last.fingerprint === fingerprint && !improvedSince(last, judgement);
        // The flap guard. A redeploy that did not help is not repeated until the situation changes (it replaces
        // every task). Other moves: movesWithoutImprovement per situation without improving (tries, in the record),
        // each judged against the imbalance before the first of them, so no sequence of moves can go on for ever:
        // where ECS's undocumented tie-breaks decide, a chance may fail and the next succeed, and a prediction that
        // failed may have met a change it could not see (another service taking the room it counted on).
        // A record without tries (written before they were counted) holds back as it did: everything after a sure
        // move (its prediction failed here), unsure moves after an unsure one.
        let streak: MoveStreak = { lowerBound: judgement.lowerBound, skew: judgement.skew, tries: 0 };
        let sureMovesOnly = false;
        if (notHelped) {
            const counted = last.kind !== "redeploy" && last.tries !== undefined;
            const spent = counted ? last.tries! >= settings.movesWithoutImprovement : last.sure;
            if (spent) {
                decisions.set(service.arn, withJudgement({
                    ...base,
                    reason: last.kind === "redeploy" ? "redeploy-did-not-help" : "no-improvement",
                    detail: counted
                        ? `${last.tries} move(s) in this situation lowered neither the surplus (${last.lowerBound} → ${judgement.lowerBound}) nor, at the same surplus, the skew (${last.skew} → ${judgement.skew}); waiting for the service or its instances to change`
                        : `the last ${last.kind} lowered neither the surplus (${last.lowerBound} → ${judgement.lowerBound}) nor, at the same surplus, the skew (${last.skew} → ${judgement.skew}); waiting for the service or its instances to change`,
                }, judgement));
                continue;
            }
            if (counted) streak = { lowerBound: last.lowerBound, skew: last.skew, tries: last.tries! };
            else sureMovesOnly = true;
        }
        if (req.unreadTaskDefinition) unreadTaskDefinitions.add(req.unreadTaskDefinition);
        candidates.push({ service, settings: serviceSettingsNow, marks, req, judgement, fingerprint, sureMovesOnly, streak, ecsOwnsAzs });
    }

    // Moves: most surplus first, so a small budget goes where it helps most; each on the full layout.
    candidates.sort((a, b) => b.judgement.lowerBound - a.judgement.lowerBound || (a.service.name < b.service.name ? -1 : 1));
    const strategy = STRATEGIES[settings.strategy];
    reserveRoomForWaitingTasks(snapshot.services, index, ctx);
    const moves: Action[] = [];
    const unreadProtection: string[] = [];
    let budget = settings.maxMovesPerPass;
    for (const c of candidates) {
        const threshold = c.settings.skewThreshold;
        const base = withJudgement({ ...emptyDecision(c.service), ...c.marks }, c.judgement);
        if (budget <= 0) {
            decisions.set(c.service.arn, { ...base, reason: "pass-cap-reached", detail: `this pass already moves ${settings.maxMovesPerPass} task(s); next pass` });
            continue;
        }
        // Earlier services' predicted placements may have used free capacity: the layout sees what is left.
        const built = buildLayout(c.service, c.req, index, { ecsOwnsAzs: c.ecsOwnsAzs });
        if ("skip" in built) {
            decisions.set(c.service.arn, { ...base, reason: built.skip.reason, detail: built.skip.detail });
            continue;
        }
        const { layout } = built;
        const tree = new BinTree(layout);
        const balance = evaluateBalance(tree, layout.counts, threshold);
        const judgement = judgementOf(layout, balance);
        if (balance.lowerBound === 0) {
            decisions.set(c.service.arn, withJudgement({ ...base, outcome: "balanced", detail: "no move left once other services' moves are counted" }, judgement));
            continue;
        }
        const result = strategy.planService({
            service: c.service, tasks: index.tasksOf(c.service.name), layout, tree, balance, index, settings: c.settings, now, budget,
            fingerprint: c.fingerprint, unreadProtectionIsProtected: options.unreadProtectionIsProtected ?? false,
            sureMovesOnly: c.sureMovesOnly,
            streak: c.streak,
        });
        if (c.sureMovesOnly && result.outcome === "skipped" && result.reason === "no-safe-move") {
            result.reason = "no-improvement";
            result.detail = "the last move was not sure to help and did not; no move is sure to now: waiting for the service or its instances to change";
        }
        if (result.outcome === "redeploy" && result.moves > budget && budget < settings.maxMovesPerPass) {
            decisions.set(c.service.arn, { ...withJudgement(base, judgement), reason: "pass-cap-reached", detail: `a redeploy replaces ${result.moves} task(s); ${budget} left in this pass` });
            continue;
        }
        const after = result.outcome === "redeploy" ? balance : evaluateBalance(tree, result.predictedCounts, threshold);
        decisions.set(c.service.arn, {
            ...withJudgement({ ...emptyDecision(c.service), ...c.marks }, judgement),
            outcome: result.outcome,
            reason: result.reason,
            detail: result.detail,
            moves: result.moves,
            skewAfter: after.skew,
            lowerBoundAfter: after.lowerBound,
        });
        moves.push(...result.actions);
        unreadProtection.push(...result.unreadProtection);
        budget -= result.moves;
        for (const [i, n] of result.placements) {
            for (let k = 0; k < n; k++) index.reserve(i, layout.shape.cpu, layout.shape.memory, layout.shape.staticPorts);
        }
    }

    const ordered = services.map((s) => decisions.get(s.arn)!);
    return {
        clusterArn: snapshot.clusterArn,
        strategy: settings.strategy,
        decisions: ordered,
        actions: [...repairs, ...moves],
        unreadProtection: [...repairProtection, ...unreadProtection],
        unreadTaskDefinitions: [...unreadTaskDefinitions].sort(),
        ...(revisitAt !== undefined ? { revisitAt } : {}),
        metrics: metricsOf(ordered),
    };
}
