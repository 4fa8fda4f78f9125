import { compileMemberOf, UnsupportedQueryError } from "../../rebalancer/plan/clusterQuery";
import { buildSnapshot } from "../support/snapshotBuilder";

const [a, b, c] = buildSnapshot({
    instances: [
        { id: "i-a", az: "us-east-1a", attributes: { "ecs.instance-type": "t2.small", stack: "prod" } },
        { id: "i-b", az: "us-east-1b", attributes: { "ecs.instance-type": "g2.2xlarge" } },
        { id: "i-c", az: "us-east-1d", attributes: { "ecs.instance-type": "t2.micro", stack: "" } },
    ],
    services: [],
}).instances;

function matching(expression: string): string[] {
    const predicate = compileMemberOf(expression);
    return [a, b, c].filter(predicate).map((i) => i.ec2InstanceId);
}

describe("memberOf expressions (ECS cluster query language)", () => {
    it("equality and inequality on attributes", () => {
        expect(matching("attribute:ecs.instance-type == t2.small")).toEqual(["i-a"]);
        expect(matching("attribute:ecs.instance-type != t2.small")).toEqual(["i-b", "i-c"]);
        expect(matching("attribute:ecs.instance-type equals t2.micro")).toEqual(["i-c"]);
    });

    it("lists with in / not_in, quoted or bare values", () => {
        expect(matching("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]")).toEqual(["i-a", "i-b"]);
        expect(matching("ec2InstanceId in ['i-a', 'i-c']")).toEqual(["i-a", "i-c"]);
        expect(matching("attribute:ecs.availability-zone not_in [us-east-1a]")).toEqual(["i-b", "i-c"]);
    });

    it("patterns match the whole value (=~, !~)", () => {
        expect(matching("attribute:ecs.instance-type =~ g2.*")).toEqual(["i-b"]);
        expect(matching("attribute:ecs.instance-type =~ t2")).toEqual([]);
        expect(matching("attribute:ecs.instance-type !~ t2.*")).toEqual(["i-b"]);
    });

    it("exists and !exists, including attributes without a value", () => {
        expect(matching("attribute:stack exists")).toEqual(["i-a", "i-c"]);
        expect(matching("attribute:stack !exists")).toEqual(["i-b"]);
    });

    it("and / or / not / parentheses, as in the ECS documentation", () => {
        expect(matching("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d")).toEqual(["i-b"]);
        expect(matching("attribute:ecs.instance-type == t2.small or attribute:ecs.availability-zone == us-east-1d")).toEqual(["i-a", "i-c"]);
        expect(matching("not(attribute:ecs.instance-type == t2.small)")).toEqual(["i-b", "i-c"]);
        expect(matching("(attribute:stack exists or ec2InstanceId == i-b) and not(ec2InstanceId == i-c)")).toEqual(["i-a", "i-b"]);
    });

    it("refuses what depends on other tasks or cannot be parsed", () => {
        expect(() => compileMemberOf("task:group == service:web")).toThrow(UnsupportedQueryError);
        expect(() => compileMemberOf("runningTasksCount == 1")).toThrow(/cannot evaluate "runningTasksCount"/);
        expect(() => compileMemberOf("attribute:x ==")).toThrow(UnsupportedQueryError);
        expect(() => compileMemberOf("attribute:x in [a, b")).toThrow(UnsupportedQueryError);
        expect(() => compileMemberOf("attribute:x =~ *a")).toThrow(/invalid pattern/);
        expect(() => compileMemberOf("(attribute:x == a")).toThrow(/missing \)/);
    });
});
