/** An exchange's conversation as messages: system, user, assistant, tool use and tool result. */
import type { ConversationMessage, MessagePart } from '../shared/conversation.js';
import { JsonView } from './json-view.js';

function Part({ part }: { part: MessagePart }) {
  if (part.kind === 'text') return <p class="text">{part.text}</p>;
  if (part.kind === 'tool_use')
    return (
      <div class="tool-use">
        <div class="part-head">
          tool use <b>{part.name}</b> {part.id === undefined ? null : <code>{part.id}</code>}
        </div>
        <JsonView value={part.input} label={`input of ${part.name}`} open={3} />
      </div>
    );
  if (part.kind === 'tool_result')
    return (
      <div class={`tool-result${part.isError ? ' error' : ''}`}>
        <div class="part-head">
          tool result {part.id === undefined ? null : <code>{part.id}</code>}{' '}
          {part.isError ? <b>error</b> : null}
        </div>
        {typeof part.content === 'string' ? (
          <p class="text">{part.content}</p>
        ) : (
          <JsonView value={part.content} label="tool result" />
        )}
      </div>
    );
  return <JsonView value={part.value} label="message part" open={1} />;
}

export function ConversationView({ messages }: { messages: readonly ConversationMessage[] }) {
  if (messages.length === 0)
    return (
      <p class="muted">
        This exchange is not a conversation this page can read; see its request and response.
      </p>
    );
  return (
    <ol class="conversation" aria-label="Conversation">
      {messages.map((m, i) => (
        <li key={i} class={`message role-${m.role}${m.answer ? ' answer' : ''}`}>
          <div class="role">
            {m.role}
            {m.answer ? ' · this response' : ''}
          </div>
          {m.parts.map((p, j) => (
            <Part key={j} part={p} />
          ))}
        </li>
      ))}
    </ol>
  );
}
