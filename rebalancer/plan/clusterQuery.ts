// The part of ECS's cluster query language that decides where a task may go (memberOf constraints), evaluated
// against one container instance. Expressions that depend on other tasks (task:group) or on changing counts
// (runningTasksCount) are refused: the planner cannot predict them, so it leaves such services alone.

import type { ContainerInstance } from "../model";

export class UnsupportedQueryError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnsupportedQueryError";
        // Deployed, Pulumi's closure serialization turns `super(message)` into `Error.call(this, message)`, which
        // sets no message: the skip it explains would be logged without its detail.
        if (!(this instanceof Error)) Object.setPrototypeOf(Object.getPrototypeOf(this), Error.prototype);
        this.message = message;
    }
}

export type InstancePredicate = (instance: ContainerInstance) => boolean;

type Token = { kind: "word" | "string" | "op" | "lparen" | "rparen" | "lbracket" | "rbracket" | "comma"; text: string };

const OPERATOR_ALIASES: Record<string, string> = {
    "==": "==", equals: "==",
    "!=": "!=", not_equals: "!=",
    in: "in", "!in": "not_in", not_in: "not_in",
    "=~": "=~", matches: "=~",
    "!~": "!~", not_matches: "!~",
    exists: "exists", "!exists": "not_exists", not_exists: "not_exists",
};

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) { i++; continue; }
        if (c === "(") { tokens.push({ kind: "lparen", text: c }); i++; continue; }
        if (c === ")") { tokens.push({ kind: "rparen", text: c }); i++; continue; }
        if (c === "[") { tokens.push({ kind: "lbracket", text: c }); i++; continue; }
        if (c === "]") { tokens.push({ kind: "rbracket", text: c }); i++; continue; }
        if (c === ",") { tokens.push({ kind: "comma", text: c }); i++; continue; }
        if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) throw new UnsupportedQueryError(`unterminated quote in ${JSON.stringify(text)}`);
            tokens.push({ kind: "string", text: text.slice(i + 1, end) });
            i = end + 1;
            continue;
        }
        const two = text.slice(i, i + 2);
        if (["==", "!=", "=~", "!~"].includes(two)) { tokens.push({ kind: "op", text: two }); i += 2; continue; }
        let j = i;
        while (j < text.length && !/[\s()[\],'"]/.test(text[j]) && !["==", "!=", "=~", "!~"].includes(text.slice(j, j + 2))) j++;
        if (j === i) throw new UnsupportedQueryError(`unexpected character ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
        tokens.push({ kind: "word", text: text.slice(i, j) });
        i = j;
    }
    return tokens;
}

function attributeReader(name: string): (instance: ContainerInstance) => string | undefined {
    if (name.startsWith("attribute:")) {
        const attribute = name.slice("attribute:".length);
        return (instance) => (attribute in instance.attributes ? instance.attributes[attribute] : undefined);
    }
    if (name === "ec2InstanceId") return (instance) => instance.ec2InstanceId;
    if (name === "agentConnected") return (instance) => String(instance.agentConnected);
    throw new UnsupportedQueryError(`the rebalancer cannot evaluate ${JSON.stringify(name)} in a memberOf expression`);
}

class Parser {
    private pos = 0;
    constructor(private readonly tokens: Token[], private readonly source: string) {}

    parse(): InstancePredicate {
        const predicate = this.parseOr();
        if (this.pos !== this.tokens.length) this.fail(`unexpected ${JSON.stringify(this.tokens[this.pos].text)}`);
        return predicate;
    }

    private fail(why: string): never {
        throw new UnsupportedQueryError(`cannot parse memberOf expression ${JSON.stringify(this.source)}: ${why}`);
    }

    private peekWord(): string | undefined {
        const token = this.tokens[this.pos];
        return token && token.kind === "word" ? token.text.toLowerCase() : undefined;
    }

    private parseOr(): InstancePredicate {
        let left = this.parseAnd();
        while (this.peekWord() === "or") {
            this.pos++;
            const a = left, b = this.parseAnd();
            left = (i) => a(i) || b(i);
        }
        return left;
    }

    private parseAnd(): InstancePredicate {
        let left = this.parseUnary();
        while (this.peekWord() === "and") {
            this.pos++;
            const a = left, b = this.parseUnary();
            left = (i) => a(i) && b(i);
        }
        return left;
    }

    private parseUnary(): InstancePredicate {
        const token = this.tokens[this.pos];
        if (!token) this.fail("unexpected end");
        if (token.kind === "word" && token.text.toLowerCase() === "not" && this.tokens[this.pos + 1]?.kind === "lparen") {
            this.pos++;
            const inner = this.parseUnary();
            return (i) => !inner(i);
        }
        if (token.kind === "lparen") {
            this.pos++;
            const inner = this.parseOr();
            if (this.tokens[this.pos]?.kind !== "rparen") this.fail("missing )");
            this.pos++;
            return inner;
        }
        return this.parseComparison();
    }

    private parseValue(): string {
        const token = this.tokens[this.pos];
        if (!token || (token.kind !== "word" && token.kind !== "string")) this.fail("expected a value");
        this.pos++;
        return token.text;
    }

    private parseList(): string[] {
        if (this.tokens[this.pos]?.kind !== "lbracket") this.fail("expected [ after in");
        this.pos++;
        const values: string[] = [];
        while (this.tokens[this.pos]?.kind !== "rbracket") {
            values.push(this.parseValue());
            if (this.tokens[this.pos]?.kind === "comma") this.pos++;
            else if (this.tokens[this.pos]?.kind !== "rbracket") this.fail("expected , or ]");
        }
        this.pos++;
        return values;
    }

    private parseComparison(): InstancePredicate {
        const subject = this.tokens[this.pos];
        if (!subject || subject.kind !== "word") this.fail("expected an attribute");
        this.pos++;
        const read = attributeReader(subject.text);
        const opToken = this.tokens[this.pos];
        const op = opToken ? OPERATOR_ALIASES[opToken.text.toLowerCase()] ?? OPERATOR_ALIASES[opToken.text] : undefined;
        if (!opToken || !op) this.fail(`unsupported operator after ${subject.text}`);
        this.pos++;
        switch (op) {
            case "exists": return (i) => read(i) !== undefined;
            case "not_exists": return (i) => read(i) === undefined;
            case "==": { const v = this.parseValue(); return (i) => read(i) === v; }
            case "!=": { const v = this.parseValue(); return (i) => read(i) !== v; }
            case "in": { const vs = new Set(this.parseList()); return (i) => { const x = read(i); return x !== undefined && vs.has(x); }; }
            case "not_in": { const vs = new Set(this.parseList()); return (i) => { const x = read(i); return x === undefined || !vs.has(x); }; }
            case "=~":
            case "!~": {
                const pattern = this.parseValue();
                let regex: RegExp;
                try {
                    regex = new RegExp(`^(?:${pattern})$`);
                } catch {
                    this.fail(`invalid pattern ${JSON.stringify(pattern)}`);
                }
                return op === "=~" ? (i) => regex.test(read(i) ?? "") && read(i) !== undefined : (i) => read(i) === undefined || !regex.test(read(i)!);
            }
        }
        this.fail(`unsupported operator ${opToken.text}`);
    }
}

/** Compiles a memberOf expression; throws UnsupportedQueryError for anything the planner cannot evaluate. */
export function compileMemberOf(expression: string): InstancePredicate {
    return new Parser(tokenize(expression), expression).parse();
}
