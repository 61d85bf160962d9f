/** A fork point and an intervention, as one short phrase for a line of output. */
import type { ForkPoint } from '@trace/fork';
import type { JsonObject } from '@trace/spec';

export function describePoint(at: ForkPoint): string {
  return 'exchange' in at ? `exchange ${at.exchange}` : `draw ${at.draw}`;
}

/** The intervention as its canonical JSON form records it (`kind` and what it carries). */
export function describeIntervention(intervention: JsonObject): string {
  const { kind, ...rest } = intervention;
  switch (kind) {
    case 'resample':
      return 'resampled';
    case 'message': {
      const parts: string[] = [];
      if (typeof rest.text === 'string') parts.push(quote(rest.text));
      if (Array.isArray(rest.toolCalls)) parts.push(`${rest.toolCalls.length} tool call(s)`);
      return `message ${parts.join(' + ') || '(empty)'}`;
    }
    case 'draw':
      return `draw value ${quote(JSON.stringify(rest.value) ?? 'undefined')}`;
    default:
      return `${String(kind)} ${quote(JSON.stringify(rest))}`;
  }
}

function quote(text: string): string {
  const clipped = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  return clipped.startsWith('"') ? clipped : JSON.stringify(clipped);
}
