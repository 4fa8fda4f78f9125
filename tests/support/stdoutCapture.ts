// What the plain exported handler writes (Powertools Logger and Metrics write JSON lines to stdout and stderr,
// which Lambda sends to CloudWatch Logs).

export interface CapturedOutput {
    lines(): Array<Record<string, any>>;
    restore(): void;
}

export function captureOutput(): CapturedOutput {
    const chunks: string[] = [];
    const collect = (chunk: unknown) => {
        chunks.push(String(chunk));
        return true;
    };
    const spies = [jest.spyOn(process.stdout, "write").mockImplementation(collect), jest.spyOn(process.stderr, "write").mockImplementation(collect)];
    return {
        lines: () =>
            chunks
                .join("")
                .split("\n")
                .filter((l) => l.trim().startsWith("{"))
                .map((l) => JSON.parse(l) as Record<string, any>),
        restore: () => spies.forEach((s) => s.mockRestore()),
    };
}
