// Where alarm notifications go: an email address (the stack creates a topic and subscribes it) and/or an existing
// SNS topic. Checked by the config reader (which names the key) and by the TaskRebalancer component.

// Deliberately simple: one @, no spaces, a dot in the domain. SNS sends a confirmation to the address anyway.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// A standard topic: publishing to a FIFO topic (.fifo) needs a message group id, which CloudWatch does not send.
const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export const ALARM_EMAIL_ALLOWED = "an email address such as oncall@example.com, or empty for none";
export const ALARM_TOPIC_ALLOWED = "a standard SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>) in the stack's Region, or empty for none";

export function describeInvalidAlarmEmail(value: unknown): string | undefined {
    if (value === "") return undefined;
    return typeof value === "string" && value.length <= 254 && EMAIL.test(value) ? undefined : `expected ${ALARM_EMAIL_ALLOWED}`;
}

export function describeInvalidAlarmTopicArn(value: unknown): string | undefined {
    if (value === "") return undefined;
    return typeof value === "string" && TOPIC_ARN.test(value) ? undefined : `expected ${ALARM_TOPIC_ALLOWED}`;
}
