/** utilerrors.NewAggregate's text: one message as is, several in brackets joined by ", ". */
export function aggregateMessage(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] ?? '') : `[${messages.join(', ')}]`;
}
