// Pulumi runtime mocks, for the infra tests and for the local runs that take the rebalancer from the program as
// deployed: record every resource the program registers (with its inputs, as resolved values) and every
// data-source call, and answer with the outputs the program reads back. Install them before the program is
// imported; each jest test file has its own module registry.
import type * as pulumiModule from "@pulumi/pulumi";

export const PROJECT = "ecs-rebalancer";
export const STACK = "test";
export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";
export const PARTITION = "aws";
export const AMI_ID = "ami-0ecs0al20230test";
export const VPC_ID = "vpc-0demo";
export const PUBLIC_SUBNET_IDS = ["subnet-0public-a", "subnet-0public-b"];
export const PRIVATE_SUBNET_IDS = ["subnet-0private-a", "subnet-0private-b"];
export const ALB_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:loadbalancer/app/demo-net-alb/0123456789abcdef`;
export const ALB_DNS_NAME = "demo-net-alb-123456789.us-east-1.elb.amazonaws.com";
export const TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:targetgroup/demo-net-alb/0123456789abcdef`;

export interface RecordedResource {
    type: string;
    name: string;
    custom: boolean;
    /** URN of the parent resource ("" for none). */
    parent: string;
    urn: string;
    /** Resource options the mock monitor sees but `newResource` is not given. */
    ignoreChanges: string[];
    dependsOn: string[];
    /** Aliases, each as the URN it names or, for an alias spec, its parent's URN ("" for none). */
    aliases: string[];
    /** The inputs as the program passed them, every Output resolved. */
    inputs: Record<string, any>;
    /** What the mock answered (inputs plus computed outputs). */
    state: Record<string, any>;
}

export interface RecordedCall {
    token: string;
    inputs: Record<string, any>;
}

export interface MockRecorder {
    resources: RecordedResource[];
    calls: RecordedCall[];
    ofType(type: string): RecordedResource[];
    /** The single resource of a type (optionally by logical name); fails loudly when there is not exactly one. */
    one(type: string, name?: string): RecordedResource;
}

/** Physical names Pulumi's auto-naming would give (the provider adds a random suffix). */
function physicalName(args: { name: string; inputs: Record<string, any> }): string {
    if (typeof args.inputs.name === "string") return args.inputs.name;
    if (typeof args.inputs.namePrefix === "string") return `${args.inputs.namePrefix}0001`;
    return `${args.name}-0001`;
}

function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const resourceName = physicalName({ name, inputs });
    const arnBase = `arn:aws`;
    switch (type) {
        case "awsx:ec2:Vpc":
            return { vpcId: VPC_ID, publicSubnetIds: PUBLIC_SUBNET_IDS, privateSubnetIds: PRIVATE_SUBNET_IDS, isolatedSubnetIds: [] };
        case "awsx:lb:ApplicationLoadBalancer":
            return {
                loadBalancer: { arn: ALB_ARN, dnsName: ALB_DNS_NAME },
                defaultTargetGroup: { arn: TARGET_GROUP_ARN },
                defaultSecurityGroup: undefined,
                vpcId: VPC_ID,
            };
        case "aws:ecs/cluster:Cluster":
            return { name: resourceName, arn: `${arnBase}:ecs:${REGION}:${ACCOUNT_ID}:cluster/${resourceName}` };
        case "aws:ecs/service:Service":
            return { name: resourceName, arn: `${arnBase}:ecs:${REGION}:${ACCOUNT_ID}:service/${resourceName}` };
        case "aws:ecs/taskDefinition:TaskDefinition":
            return { arn: `${arnBase}:ecs:${REGION}:${ACCOUNT_ID}:task-definition/${inputs.family}:1`, revision: 1 };
        case "aws:ecs/capacityProvider:CapacityProvider":
            return { name: resourceName, arn: `${arnBase}:ecs:${REGION}:${ACCOUNT_ID}:capacity-provider/${resourceName}` };
        case "aws:lambda/function:Function":
            return { name: resourceName, arn: `${arnBase}:lambda:${REGION}:${ACCOUNT_ID}:function:${resourceName}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { name: resourceName, arn: `${arnBase}:logs:${REGION}:${ACCOUNT_ID}:log-group:${resourceName}` };
        case "aws:sqs/queue:Queue":
            return {
                name: resourceName,
                arn: `${arnBase}:sqs:${REGION}:${ACCOUNT_ID}:${resourceName}`,
                url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${resourceName}`,
            };
        case "aws:sns/topic:Topic":
            return { name: resourceName, arn: `${arnBase}:sns:${REGION}:${ACCOUNT_ID}:${resourceName}` };
        case "aws:iam/role:Role":
            return { name: resourceName, arn: `${arnBase}:iam::${ACCOUNT_ID}:role/${resourceName}` };
        case "aws:iam/instanceProfile:InstanceProfile":
            return { name: resourceName, arn: `${arnBase}:iam::${ACCOUNT_ID}:instance-profile/${resourceName}` };
        case "aws:cloudwatch/eventRule:EventRule":
            return { name: resourceName, arn: `${arnBase}:events:${REGION}:${ACCOUNT_ID}:rule/${resourceName}` };
        case "aws:autoscaling/group:Group":
            return {
                name: resourceName,
                arn: `${arnBase}:autoscaling:${REGION}:${ACCOUNT_ID}:autoScalingGroup:0000:autoScalingGroupName/${resourceName}`,
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { name: resourceName, latestVersion: 1, arn: `${arnBase}:ec2:${REGION}:${ACCOUNT_ID}:launch-template/lt-0${name}` };
        case "aws:ec2/securityGroup:SecurityGroup":
            return { name: resourceName, arn: `${arnBase}:ec2:${REGION}:${ACCOUNT_ID}:security-group/sg-${name}` };
        default:
            return { name: resourceName, arn: `${arnBase}:mock:${REGION}:${ACCOUNT_ID}:${type}/${resourceName}` };
    }
}

function answerCall(token: string, inputs: Record<string, any>): Record<string, any> {
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { region: REGION, name: REGION, id: REGION, description: "US East (N. Virginia)", endpoint: `ec2.${REGION}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/test`, userId: "AIDATEST", id: ACCOUNT_ID };
        case "aws:index/getPartition:getPartition":
            return { partition: PARTITION, id: PARTITION, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        case "aws:ssm/getParameter:getParameter":
            return { ...inputs, arn: `arn:aws:ssm:${REGION}::parameter${inputs.name}`, type: "String", value: AMI_ID, insecureValue: AMI_ID, version: 1 };
        default:
            return inputs;
    }
}

/**
 * Sets the stack config (keys `ecs-rebalancer:<key>`; plus `aws:region`) and installs recording mocks on the given
 * `@pulumi/pulumi` module (pass the instance the program will load).
 */
export function installMocks(pulumi: typeof pulumiModule, config: Record<string, string>): MockRecorder {
    const resources: RecordedResource[] = [];
    const calls: RecordedCall[] = [];
    const stackConfig: Record<string, string> = { "aws:region": REGION };
    for (const [key, value] of Object.entries(config)) stackConfig[key.includes(":") ? key : `${PROJECT}:${key}`] = value;
    pulumi.runtime.setAllConfig(stackConfig);
    const options = new Map<string, Pick<RecordedResource, "parent" | "urn" | "ignoreChanges" | "dependsOn" | "aliases">>();
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const inputs = args.inputs as Record<string, any>;
                const state = { ...inputs, ...outputsFor(args.type, args.name, inputs) };
                const seen = options.get(`${args.type}::${args.name}`) ?? { parent: "", urn: "", ignoreChanges: [], dependsOn: [], aliases: [] };
                resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, ...seen, inputs, state });
                return { id: `${args.name}-id`, state };
            },
            call(args) {
                calls.push({ token: args.token, inputs: args.inputs });
                return answerCall(args.token, args.inputs);
            },
        },
        PROJECT,
        STACK,
        false,
    );
    // The mock monitor passes newResource only type, name and inputs; record the options it receives too.
    const monitor = pulumi.runtime.getMonitor() as any;
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        options.set(`${req.getType()}::${req.getName()}`, {
            parent: req.getParent(),
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            ignoreChanges: req.getIgnorechangesList(),
            dependsOn: req.getDependenciesList(),
            aliases: req.getAliasesList().map((a: any) => (a.hasSpec() ? a.getSpec().getParenturn() : a.getUrn())),
        });
        return registerResource(req, callback);
    };
    return {
        resources,
        calls,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
            if (found.length !== 1) {
                throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
            }
            return found[0];
        },
    };
}

/** Resolves an Output's value (never asserts inside apply). */
export function valueOf<T>(output: pulumiModule.Output<T> | undefined): Promise<T> {
    if (output === undefined) return Promise.resolve(undefined as T);
    return new Promise<T>((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until every registration the program started has reached the mocks. */
export async function settle(pulumi: typeof pulumiModule): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (typeof runtime.waitForRPCs === "function") await runtime.waitForRPCs();
    // Outputs created inside applies register a little later; give the event loop a few turns.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    if (typeof runtime.waitForRPCs === "function") await runtime.waitForRPCs();
}

/** Parses a JSON-valued input (policies, event patterns, container definitions). */
export function json(value: unknown): any {
    if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
    return JSON.parse(value);
}

export interface ProgramRun {
    rec: MockRecorder;
    /** The program's stack outputs, resolved. */
    outputs: Record<string, unknown>;
}

/**
 * Installs the mocks with this stack config, imports the program (index.ts) and waits for every registration.
 * Call once per test file: jest gives each file a fresh module registry, so the program runs once per file.
 */
export async function runProgram(pulumi: typeof pulumiModule, config: Record<string, string>): Promise<ProgramRun> {
    const rec = installMocks(pulumi, config);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../index") as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = pulumi.Output.isInstance(value) ? await valueOf(value as pulumiModule.Output<unknown>) : value;
    }
    await settle(pulumi);
    return { rec, outputs };
}
