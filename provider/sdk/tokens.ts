/** Type tokens, shared by the typed classes (sdk/) and the provider's handlers (src/). */
export const QUEUE_TOKEN = 'driftless-aws:sqs:Queue';
