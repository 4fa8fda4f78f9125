// The TaskRebalancer component used on its own (from another program): bad alarm or dashboard args are refused by
// name before it declares anything, as the stack config is.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle, type MockRecorder } from "../../local/pulumiMocks";
import { TaskRebalancer, type TaskRebalancerArgs } from "../../infra/rebalancer/taskRebalancer";
import { defaultSettings } from "../../rebalancer/settings";

let rec: MockRecorder;
beforeAll(() => {
    rec = installMocks(pulumi, {});
});

const { clusters: _clusters, ...settings } = defaultSettings([]);
const args = (extra: Partial<TaskRebalancerArgs>): TaskRebalancerArgs => ({
    clusters: [{ key: "prod", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod" }],
    settings,
    ...extra,
});

it.each([
    ["alarmEmail", { alarmEmail: "oncall" }, /alarmEmail: expected an email address/],
    ["alarmTopicArn", { alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:x.fifo" }, /alarmTopicArn: expected a standard SNS topic ARN/],
    ["unbalancedAlarmPasses", { unbalancedAlarmPasses: 0 }, /unbalancedAlarmPasses: expected an integer from 1 to 100/],
    ["unbalancedAlarmPasses (window)", { unbalancedAlarmPasses: 61, schedule: "rate(30 minutes)" }, /unbalancedAlarmPasses: .*at most 48 passes/],
    ["dashboardName", { dashboardName: "my dashboard" }, /dashboardName: expected 1–255 letters, digits, - or _/],
    ["clusters", { clusters: [{ key: "a", arn: "x" }, { key: "a", arn: "y" }] }, /clusters: key "a" is used twice/],
] as const)("%s: refused by name, nothing declared", async (_name, extra, message) => {
    const before = rec.resources.length;
    expect(() => new TaskRebalancer(`bad-${rec.resources.length}`, args(extra as Partial<TaskRebalancerArgs>))).toThrow(message);
    await settle(pulumi);
    // The component itself registers first; none of its children follows.
    expect(rec.resources.slice(before).filter((r) => r.type !== "ecs-rebalancer:rebalancer:TaskRebalancer")).toEqual([]);
});
