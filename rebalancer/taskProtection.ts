// Scale-in protection of stop candidates. StopTask ignores it, so the rebalancer must read it itself; only the
// tasks a plan wants to stop are read, in batches of 100 (GetTaskProtection's documented limit: "A list of up to
// 100 task IDs or full ARN entries", API reference and @aws-sdk/client-ecs 3.1141.0 GetTaskProtectionRequest).
import type { Deadline } from "./act";
import type { AwsClients } from "./awsClients";
import type { ApiCalls } from "./apiCalls";
import { chunk, countCall } from "./apiCalls";
import type { ObserveFailure } from "./model";
import { errorText } from "./errors";
import { checkReadDeadline } from "./readDeadline";
import { toFailures } from "./snapshotMapping";

export const GET_TASK_PROTECTION_BATCH = 100;

export interface TaskProtection {
    enabled: boolean;
    /** Epoch ms when an enabled protection lapses. */
    expiresAt?: number;
}

export interface ProtectionRead {
    /** Task ARN → its protection. Tasks missing here stay unread (the final plan takes them as protected). */
    protection: Record<string, TaskProtection>;
    failures: ObserveFailure[];
}

/** With a deadline, each batch first checks the time left (ReadDeadlineError). */
export async function readTaskProtection(clients: AwsClients, clusterArn: string, taskArns: readonly string[], calls: ApiCalls, deadline?: Deadline): Promise<ProtectionRead> {
    const { GetTaskProtectionCommand } = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
    const out: ProtectionRead = { protection: {}, failures: [] };
    for (const batch of chunk([...new Set(taskArns)], GET_TASK_PROTECTION_BATCH)) {
        checkReadDeadline(deadline, "GetTaskProtection");
        try {
            const res = await clients.ecs.send(new GetTaskProtectionCommand({ cluster: clusterArn, tasks: batch }));
            countCall(calls, "GetTaskProtection");
            out.failures.push(...toFailures(res.failures, "GetTaskProtection"));
            for (const p of res.protectedTasks ?? []) {
                if (!p.taskArn || !batch.includes(p.taskArn)) continue;
                const expiresAt = p.protectionEnabled === true ? p.expirationDate?.getTime() : undefined;
                out.protection[p.taskArn] = { enabled: p.protectionEnabled === true, ...(expiresAt !== undefined && Number.isFinite(expiresAt) ? { expiresAt } : {}) };
            }
        } catch (err) {
            // Unread protection is treated as protected by the final plan, so one failed batch only holds moves back.
            countCall(calls, "GetTaskProtection");
            out.failures.push({ reason: "PROTECTION_UNREADABLE", detail: `GetTaskProtection: ${errorText(err)}` });
        }
    }
    return out;
}
