// A small evaluator of identity-policy statements, for the conditions this project's policy uses: whether a
// request (action, resource, request context) is allowed by some Allow statement. It follows IAM's documented
// semantics for the operators it knows and refuses any other, so a new condition cannot pass unexamined.
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html)

export interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Request {
    action: string;
    resource: string;
    /** Condition keys of the request; multivalued keys (aws:TagKeys) as lists. */
    context: Record<string, string | string[] | undefined>;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, caseInsensitive ? "i" : "").test(value);
}

function present(value: string | string[] | undefined): value is string | string[] {
    return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function matchOne(operator: string, expected: string[], actual: string): boolean {
    switch (operator) {
        case "StringEquals":
        case "ArnEquals":
            return expected.includes(actual);
        case "StringLike":
        case "ArnLike":
            return expected.some((p) => glob(p, actual));
        default:
            throw new Error(`condition operator ${operator} is not known to this evaluator`);
    }
}

function conditionHolds(operator: string, key: string, expectedValue: string | string[], context: Request["context"]): boolean {
    const expected = list(expectedValue);
    const actual = context[key];
    if (operator === "Null") {
        const wantsAbsent = expected[0] === "true";
        return wantsAbsent ? !present(actual) : present(actual);
    }
    if (operator.startsWith("ForAllValues:")) {
        // True when every value of the request matches some expected value, and vacuously true without values.
        if (!present(actual)) return true;
        return list(actual).every((v) => matchOne(operator.slice("ForAllValues:".length), expected, v));
    }
    if (operator.startsWith("ForAnyValue:")) {
        if (!present(actual)) return false;
        return list(actual).some((v) => matchOne(operator.slice("ForAnyValue:".length), expected, v));
    }
    if (!present(actual) || Array.isArray(actual)) return false;
    return matchOne(operator, expected, actual);
}

export function statementAllows(s: Statement, req: Request): boolean {
    if (s.Effect !== "Allow") return false;
    if (!list(s.Action).some((a) => glob(a, req.action, true))) return false;
    if (!list(s.Resource).some((r) => glob(r, req.resource))) return false;
    for (const [operator, block] of Object.entries(s.Condition ?? {})) {
        for (const [key, value] of Object.entries(block)) if (!conditionHolds(operator, key, value, req.context)) return false;
    }
    return true;
}

/** Allowed by at least one statement (the documents evaluated here hold no Deny). */
export function policyAllows(statements: readonly Statement[], req: Request): boolean {
    if (statements.some((s) => s.Effect !== "Allow")) throw new Error("this evaluator handles Allow statements only");
    return statements.some((s) => statementAllows(s, req));
}
