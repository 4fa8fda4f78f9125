// The ECS cluster query language (developer guide "cluster-query-language"): `subject operator [argument]`
// expressions combined with and/or/not and parentheses. Used by memberOf placement constraints and by
// ListContainerInstances' filter.
//
// Subjects: attribute:<name>, ec2InstanceId, agentConnected, agentVersion, registeredAt, runningTasksCount, task:group.
// Operators: == equals, != not_equals, > greater_than, >= greater_than_equal, < less_than, <= less_than_equal,
// exists, !exists not_exists, in, !in not_in, =~ matches, !~ not_matches (Java-style regex, whole value).
// Each plain subject takes only the operators the page lists for it (agentConnected and ec2InstanceId: equality,
// lists and patterns; agentVersion, registeredAt and runningTasksCount: equality and ordering).
// Lists: [a, b, c] (parentheses accepted too). Values may be quoted with ' or " (needed for regexes with spaces
// or brackets).

import type { InstanceState } from "./model";

export class QuerySyntaxError extends Error {}

type Op = "==" | "!=" | ">" | ">=" | "<" | "<=" | "exists" | "!exists" | "in" | "!in" | "=~" | "!~";

type Node =
    | { kind: "and" | "or"; left: Node; right: Node }
    | { kind: "not"; operand: Node }
    | { kind: "cmp"; subject: string; op: Op; args: string[]; regex?: RegExp };

export interface Query {
    readonly text: string;
    /** True when the expression reads something tasks change (task:group, runningTasksCount). */
    readonly dynamic: boolean;
    matches(instance: InstanceState): boolean;
}

const WORD_OPS: Record<string, Op> = {
    equals: "==",
    not_equals: "!=",
    greater_than: ">",
    greater_than_equal: ">=",
    less_than: "<",
    less_than_equal: "<=",
    exists: "exists",
    not_exists: "!exists",
    in: "in",
    not_in: "!in",
    matches: "=~",
    not_matches: "!~",
};
const SYMBOL_OPS = new Set(["==", "!=", ">", ">=", "<", "<=", "=~", "!~"]);

interface Token {
    type: "word" | "string" | "sym";
    value: string;
    pos: number;
}

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i]!;
        if (/\s/.test(c)) {
            i++;
        } else if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) throw new QuerySyntaxError(`unterminated string at ${i}`);
            tokens.push({ type: "string", value: text.slice(i + 1, end), pos: i });
            i = end + 1;
        } else if ("()[],".includes(c)) {
            tokens.push({ type: "sym", value: c, pos: i });
            i++;
        } else if (text.startsWith("&&", i) || text.startsWith("||", i)) {
            tokens.push({ type: "sym", value: text.slice(i, i + 2), pos: i });
            i += 2;
        } else if ("=!<>~".includes(c)) {
            const two = text.slice(i, i + 2);
            if (SYMBOL_OPS.has(two)) {
                tokens.push({ type: "sym", value: two, pos: i });
                i += 2;
            } else if (c === "!" || c === "<" || c === ">") {
                tokens.push({ type: "sym", value: c, pos: i });
                i++;
            } else {
                throw new QuerySyntaxError(`unexpected '${c}' at ${i}`);
            }
        } else {
            let j = i;
            while (j < text.length && !/[\s()[\],'"&|=!<>~]/.test(text[j]!)) j++;
            if (j === i) throw new QuerySyntaxError(`unexpected '${c}' at ${i}`);
            tokens.push({ type: "word", value: text.slice(i, j), pos: i });
            i = j;
        }
    }
    return tokens;
}

class Parser {
    private i = 0;
    constructor(private readonly tokens: Token[]) {}

    parse(): Node {
        if (this.tokens.length === 0) throw new QuerySyntaxError("empty expression");
        const node = this.orExpr();
        const rest = this.peek();
        if (rest) throw new QuerySyntaxError(`unexpected '${rest.value}' at ${rest.pos}`);
        return node;
    }

    private peek(): Token | undefined {
        return this.tokens[this.i];
    }

    private next(what: string): Token {
        const t = this.tokens[this.i++];
        if (!t) throw new QuerySyntaxError(`expected ${what} at end of expression`);
        return t;
    }

    private isKeyword(t: Token | undefined, ...words: string[]): boolean {
        return t !== undefined && t.type !== "string" && words.includes(t.value.toLowerCase());
    }

    private orExpr(): Node {
        let left = this.andExpr();
        while (this.isKeyword(this.peek(), "||", "or")) {
            this.i++;
            left = { kind: "or", left, right: this.andExpr() };
        }
        return left;
    }

    private andExpr(): Node {
        let left = this.unary();
        while (this.isKeyword(this.peek(), "&&", "and")) {
            this.i++;
            left = { kind: "and", left, right: this.unary() };
        }
        return left;
    }

    private unary(): Node {
        const t = this.peek();
        if (this.isKeyword(t, "!", "not")) {
            this.i++;
            return { kind: "not", operand: this.unary() };
        }
        if (t?.type === "sym" && t.value === "(") {
            this.i++;
            const inner = this.orExpr();
            this.expect(")");
            return inner;
        }
        return this.comparison();
    }

    private expect(sym: string): void {
        const t = this.next(`'${sym}'`);
        if (t.type !== "sym" || t.value !== sym) throw new QuerySyntaxError(`expected '${sym}' at ${t.pos}, found '${t.value}'`);
    }

    private comparison(): Node {
        const subjectToken = this.next("a subject");
        if (subjectToken.type !== "word") throw new QuerySyntaxError(`expected a subject at ${subjectToken.pos}`);
        const subject = subjectToken.value;
        checkSubject(subject, subjectToken.pos);
        const opPos = this.peek()?.pos ?? subjectToken.pos;
        const op = this.operator();
        checkOperator(subject, op, opPos);
        if (op === "exists" || op === "!exists") return { kind: "cmp", subject, op, args: [] };
        const args = op === "in" || op === "!in" ? this.list() : [this.value()];
        const node: Node = { kind: "cmp", subject, op, args };
        if (op === "=~" || op === "!~") {
            try {
                node.regex = new RegExp(`^(?:${args[0]})$`);
            } catch {
                throw new QuerySyntaxError(`invalid pattern '${args[0]}'`);
            }
        }
        return node;
    }

    private operator(): Op {
        const t = this.next("an operator");
        if (t.type === "sym" && SYMBOL_OPS.has(t.value)) return t.value as Op;
        if (t.type === "sym" && (t.value === "<" || t.value === ">")) return t.value as Op;
        if (t.type === "sym" && t.value === "!") {
            const w = this.next("exists or in after '!'");
            if (this.isKeyword(w, "exists")) return "!exists";
            if (this.isKeyword(w, "in")) return "!in";
            throw new QuerySyntaxError(`unknown operator '!${w.value}' at ${t.pos}`);
        }
        if (t.type === "word" && WORD_OPS[t.value.toLowerCase()]) return WORD_OPS[t.value.toLowerCase()]!;
        throw new QuerySyntaxError(`unknown operator '${t.value}' at ${t.pos}`);
    }

    private value(): string {
        const t = this.next("a value");
        if (t.type === "sym") throw new QuerySyntaxError(`expected a value at ${t.pos}, found '${t.value}'`);
        return t.value;
    }

    private list(): string[] {
        const open = this.next("a list");
        if (open.type !== "sym" || (open.value !== "[" && open.value !== "(")) {
            throw new QuerySyntaxError(`expected '[' at ${open.pos}`);
        }
        const close = open.value === "[" ? "]" : ")";
        const values = [this.value()];
        for (;;) {
            const t = this.next(`',' or '${close}'`);
            if (t.type === "sym" && t.value === close) return values;
            if (t.type !== "sym" || t.value !== ",") throw new QuerySyntaxError(`expected ',' at ${t.pos}`);
            values.push(this.value());
        }
    }
}

const EQUALITY_OPS: readonly Op[] = ["==", "!=", "in", "!in", "=~", "!~"];
const ORDER_OPS: readonly Op[] = ["==", "!=", ">", ">=", "<", "<="];

/**
 * The operators the page lists as valid for each subject ("Valid operators", developer guide "Cluster query
 * language"); attribute:<name> and task:group list none, so every operator applies to them.
 */
const SUBJECT_OPERATORS: ReadonlyMap<string, readonly Op[] | undefined> = new Map([
    ["agentConnected", EQUALITY_OPS],
    ["ec2InstanceId", EQUALITY_OPS],
    ["agentVersion", ORDER_OPS],
    ["registeredAt", ORDER_OPS],
    ["runningTasksCount", ORDER_OPS],
    ["task:group", undefined],
]);

const OP_WORDS = Object.fromEntries(Object.entries(WORD_OPS).map(([word, op]) => [op, word])) as Record<Op, string>;

function checkSubject(subject: string, pos: number): void {
    if (SUBJECT_OPERATORS.has(subject)) return;
    if (subject.startsWith("attribute:") && subject.length > "attribute:".length) return;
    throw new QuerySyntaxError(`unknown subject '${subject}' at ${pos}`);
}

function checkOperator(subject: string, op: Op, pos: number): void {
    const valid = SUBJECT_OPERATORS.get(subject);
    if (valid === undefined || valid.includes(op)) return;
    const names = valid.map((o) => `${OP_WORDS[o]} (${o})`).join(", ");
    const where = `for subject '${subject}' at ${pos}`;
    throw new QuerySyntaxError(`operator '${op}' is not valid ${where}: expected one of ${names}`);
}

/** The subject's values on an instance (task:group has several; absent subjects have none). */
function subjectValues(subject: string, instance: InstanceState): string[] {
    if (subject.startsWith("attribute:")) {
        const name = subject.slice("attribute:".length);
        if (!instance.attributes.has(name)) return [];
        return [instance.attributes.get(name) ?? ""];
    }
    switch (subject) {
        case "ec2InstanceId":
            return [instance.ec2InstanceId];
        case "agentConnected":
            return [String(instance.agentConnected)];
        case "agentVersion":
            return [instance.versionInfo.agentVersion];
        case "registeredAt":
            return [new Date(instance.registeredAt).toISOString()];
        case "runningTasksCount":
            return [String(instance.runningTasksCount)];
        case "task:group": {
            const groups = new Set<string>();
            for (const t of instance.resident) if (t.desiredStatus === "RUNNING") groups.add(t.group);
            return [...groups];
        }
        default:
            return [];
    }
}

function compareValues(subject: string, a: string, b: string): number {
    if (subject === "registeredAt") return Date.parse(a) - parseDate(b);
    if (subject === "agentVersion") return compareVersions(a, b);
    const na = Number(a);
    const nb = Number(b);
    if (a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
}

function parseDate(value: string): number {
    // Accepted forms: 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28, 2018-06-18 (UTC).
    const iso = /T/.test(value) && !/(Z|[+-]\d\d:\d\d)$/.test(value) ? `${value}Z` : value;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? NaN : ms;
}

function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

function evaluate(node: Node, instance: InstanceState): boolean {
    switch (node.kind) {
        case "and":
            return evaluate(node.left, instance) && evaluate(node.right, instance);
        case "or":
            return evaluate(node.left, instance) || evaluate(node.right, instance);
        case "not":
            return !evaluate(node.operand, instance);
        case "cmp":
            return compare(node, subjectValues(node.subject, instance));
    }
}

function compare(node: Extract<Node, { kind: "cmp" }>, values: string[]): boolean {
    const any = (test: (v: string) => boolean) => values.some(test);
    const arg = node.args[0] ?? "";
    switch (node.op) {
        case "exists":
            return values.length > 0;
        case "!exists":
            return values.length === 0;
        case "==":
            return any((v) => v === arg);
        case "!=":
            return !any((v) => v === arg);
        case "in":
            return any((v) => node.args.includes(v));
        case "!in":
            return !any((v) => node.args.includes(v));
        case "=~":
            return any((v) => node.regex!.test(v));
        case "!~":
            return !any((v) => node.regex!.test(v));
        case ">":
            return any((v) => compareValues(node.subject, v, arg) > 0);
        case ">=":
            return any((v) => compareValues(node.subject, v, arg) >= 0);
        case "<":
            return any((v) => compareValues(node.subject, v, arg) < 0);
        case "<=":
            return any((v) => compareValues(node.subject, v, arg) <= 0);
    }
}

function isDynamic(node: Node): boolean {
    switch (node.kind) {
        case "and":
        case "or":
            return isDynamic(node.left) || isDynamic(node.right);
        case "not":
            return isDynamic(node.operand);
        case "cmp":
            return node.subject === "task:group" || node.subject === "runningTasksCount";
    }
}

/** Parses an expression; throws QuerySyntaxError with a position when it is not valid. */
export function parseQuery(text: string): Query {
    const root = new Parser(tokenize(text)).parse();
    return { text, dynamic: isDynamic(root), matches: (instance) => evaluate(root, instance) };
}
