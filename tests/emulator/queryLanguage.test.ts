// The cluster query language: subjects, every operator, compound expressions, precedence, syntax errors.

import { OrderedIndex } from "../../local/emulator/orderedIndex";
import type { InstanceState, TaskState } from "../../local/emulator/model";
import { parseQuery, QuerySyntaxError } from "../../local/emulator/queryLanguage";

function instance(attributes: Record<string, string | undefined>, extra: Partial<InstanceState> = {}): InstanceState {
    return {
        ec2InstanceId: "i-0123",
        agentConnected: true,
        versionInfo: { agentVersion: "1.89.0", agentHash: "", dockerVersion: "" },
        registeredAt: Date.UTC(2026, 0, 1),
        runningTasksCount: 2,
        attributes: new Map(Object.entries(attributes)),
        resident: new Set<TaskState>(),
        tasks: new OrderedIndex(),
        ...extra,
    } as InstanceState;
}

const m5a = instance({ "ecs.instance-type": "m5.large", "ecs.availability-zone": "us-east-1a", stack: "prod", flag: undefined });
const t3b = instance({ "ecs.instance-type": "t3.small", "ecs.availability-zone": "us-east-1b" }, { ec2InstanceId: "i-9999", agentConnected: false });

test.each([
    ["attribute:stack == prod", true, false],
    ["attribute:stack equals prod", true, false],
    ["attribute:stack != prod", false, true],
    ["attribute:stack exists", true, false],
    ["attribute:stack !exists", false, true],
    ["attribute:flag exists", true, false],
    ["attribute:ecs.availability-zone in [us-east-1a, us-east-1c]", true, false],
    ["attribute:ecs.availability-zone not_in [us-east-1a]", false, true],
    ["attribute:ecs.availability-zone !in (us-east-1a)", false, true],
    ["attribute:ecs.instance-type =~ m5.*", true, false],
    ["attribute:ecs.instance-type !~ m5.*", false, true],
    ["attribute:ecs.instance-type matches 't3\\.(small|medium)'", false, true],
    ["ec2InstanceId in ['i-0123', 'i-4567']", true, false],
    ["agentConnected == false", false, true],
    ["agentVersion >= 1.80.0", true, true],
    ["agentVersion < 1.9.0", false, false],
    ["registeredAt > 2025-12-31", true, true],
    ["registeredAt <= 2025-12-31T23:59:59Z", false, false],
    ["runningTasksCount >= 2", true, true],
    ["attribute:stack == prod or attribute:ecs.availability-zone == us-east-1b", true, true],
    ["attribute:stack == prod && agentConnected == false", false, false],
    ["not(attribute:stack == prod)", false, true],
    ["!(attribute:stack == prod) || ec2InstanceId == i-0123", true, true],
    // and binds tighter than or
    ["ec2InstanceId == i-9999 or attribute:stack == prod and agentConnected == false", false, true],
    ["(ec2InstanceId == i-9999 or attribute:stack == prod) and agentConnected == false", false, true],
])("%s", (expression, onM5a, onT3b) => {
    const q = parseQuery(expression);
    expect(q.matches(m5a)).toBe(onM5a);
    expect(q.matches(t3b)).toBe(onT3b);
});

test("task:group matches instances running tasks of the group, and is dynamic", () => {
    const withWeb = instance({}, { resident: new Set([{ group: "service:web", desiredStatus: "RUNNING" } as TaskState]) });
    const q = parseQuery("task:group == service:web");
    expect(q.dynamic).toBe(true);
    expect(q.matches(withWeb)).toBe(true);
    expect(q.matches(m5a)).toBe(false);
    expect(parseQuery("attribute:stack == prod").dynamic).toBe(false);
});

test.each(["", "attribute:stack ==", "attribute:stack", "bogus == 1", "attribute:x in [a, b", "(attribute:x == a", "attribute:x == a b", "attribute:x =~ '('", "a & b"])(
    "rejects %j",
    (expression) => {
        expect(() => parseQuery(expression)).toThrow(QuerySyntaxError);
    },
);

test.each([
    ["agentConnected > false", "agentConnected", "equals (==), not_equals (!=), in (in), not_in (!in), matches (=~), not_matches (!~)"],
    ["ec2InstanceId exists", "ec2InstanceId", "equals (==)"],
    ["agentVersion in [1.89.0]", "agentVersion", "greater_than (>)"],
    ["registeredAt =~ 2026.*", "registeredAt", "less_than_equal (<=)"],
    ["runningTasksCount !exists", "runningTasksCount", "greater_than_equal (>=)"],
])("%s: an operator the page does not list for the subject is refused, naming the valid ones", (expression, subject, listed) => {
    expect(() => parseQuery(expression)).toThrow(QuerySyntaxError);
    expect(() => parseQuery(expression)).toThrow(new RegExp(`not valid for subject '${subject}'.*${listed.replace(/[()|]/g, "\\$&")}`));
});

test("attribute:<name> and task:group take every operator (the page lists none for them)", () => {
    expect(parseQuery("attribute:stack > a").matches(m5a)).toBe(true);
    expect(parseQuery("task:group !exists").matches(m5a)).toBe(true);
});
