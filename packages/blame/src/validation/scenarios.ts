/**
 * The fixture scenarios: what a reviewing agent is asked to decide, the checks it runs (one tool
 * per stage), and what each tool answers when nothing is wrong. Both scenarios are built so that
 * the right outcome is `approve`: every check comes back clean, so a denial can only come from a
 * planted fault.
 */
import type { JsonObject } from '@trace/spec';

/** A record lookup returns structured data; a retrieval returns passages of text. */
export type StageKind = 'record' | 'retrieval';

/** One stage of the review: the model is offered one tool, and calls it. */
export interface Stage {
  readonly tool: string;
  readonly kind: StageKind;
  readonly description: string;
  /** Asked with `messages.stream()` instead of `messages.create()`. */
  readonly streamed: boolean;
}

export interface Scenario {
  readonly name: string;
  /** The first line of the agent's system prompt. */
  readonly role: string;
  /** What the customer (or buyer) asks for. */
  readonly request: string;
  /** The id every tool call of the review should carry. */
  readonly subject: string;
  /** Who the subject belongs to: a record of another owner is someone else's data. */
  readonly owner: string;
  /** The amount at stake, in EUR. */
  readonly amount: number;
  readonly stages: readonly Stage[];
  /** What `tool` answers about `id` when nothing is wrong: `{ results: [...] }`. */
  answer(tool: string, id: string): JsonObject;
  /**
   * For each retrieval tool, a passage that reads as relevant and is wrong for this case (a
   * superseded policy, a company with a similar name): what a misleading retrieval ranks first.
   */
  readonly misleading: { readonly [tool: string]: JsonObject };
}

const record = (id: string, owner: string, fields: JsonObject): JsonObject => ({
  type: 'record',
  id,
  owner,
  ...fields,
});

const passage = (source: string, title: string, text: string): JsonObject => ({
  type: 'passage',
  source,
  title,
  text,
});

/**
 * A customer asks for a refund of a damaged item. Two record lookups and two retrievals,
 * alternating, so that either tool-side fault can be planted early and late.
 */
export const refundReview: Scenario = {
  name: 'refund-review',
  role: 'You review refund requests for an online shop.',
  request: 'Refund order O-1042: the kettle arrived with a cracked lid.',
  subject: 'O-1042',
  owner: 'C-77',
  amount: 42,
  stages: [
    {
      tool: 'lookup_order',
      kind: 'record',
      description: 'The order: owner, items, amount and status.',
      streamed: false,
    },
    {
      tool: 'search_policy',
      kind: 'retrieval',
      description: 'Passages of the refund policy that apply to the order.',
      streamed: true,
    },
    {
      tool: 'check_payment',
      kind: 'record',
      description: 'How the order was paid and whether the payment settled.',
      streamed: false,
    },
    {
      tool: 'search_precedents',
      kind: 'retrieval',
      description: 'Earlier decisions on similar requests.',
      streamed: true,
    },
  ],
  answer(tool, id) {
    const owner = id === this.subject ? this.owner : 'C-12';
    switch (tool) {
      case 'lookup_order':
        return {
          results: [record(id, owner, { item: 'kettle', amount_cents: 4200, status: 'delivered' })],
        };
      case 'check_payment':
        return {
          results: [record(id, owner, { method: 'card', settled: true, amount_cents: 4200 })],
        };
      case 'search_policy':
        return {
          results: [
            passage(
              'policy',
              'Damaged goods',
              'Items that arrive damaged are refunded in full on request.',
            ),
            passage('policy', 'Time limits', 'Requests within 30 days of delivery are accepted.'),
          ],
        };
      default:
        return {
          results: [
            passage(
              'decisions',
              'Case 2211',
              'A mug delivered with a chipped handle was refunded in full.',
            ),
          ],
        };
    }
  },
  misleading: {
    search_policy: passage(
      'policy-archive',
      'Damaged goods (2017 policy)',
      'Refunds for damaged goods must be declined unless the damage was reported within 48 hours.',
    ),
    search_precedents: passage(
      'decisions',
      'Case 1890',
      'A kettle refund must be declined when the lid is the only damaged part.',
    ),
  },
};

/**
 * A buyer asks to onboard a supplier. A registry lookup first and a credit report last, with two
 * retrievals (sanctions lists, news) between them.
 */
export const vendorScreen: Scenario = {
  name: 'vendor-screen',
  role: 'You screen new suppliers before a first purchase order.',
  request: 'Onboard supplier V-3318 (Acme Tools GmbH) for a first order of garden tools.',
  subject: 'V-3318',
  owner: 'Acme Tools GmbH',
  amount: 1800,
  stages: [
    {
      tool: 'registry_lookup',
      kind: 'record',
      description: 'The company register entry of the supplier.',
      streamed: true,
    },
    {
      tool: 'search_sanctions',
      kind: 'retrieval',
      description: 'Sanctions-list entries that mention the supplier.',
      streamed: false,
    },
    {
      tool: 'search_news',
      kind: 'retrieval',
      description: 'News articles that mention the supplier.',
      streamed: true,
    },
    {
      tool: 'credit_report',
      kind: 'record',
      description: "The supplier's credit report.",
      streamed: false,
    },
  ],
  answer(tool, id) {
    const owner = id === this.subject ? this.owner : 'Acme Tool Co.';
    switch (tool) {
      case 'registry_lookup':
        return {
          results: [record(id, owner, { register: 'HRB 4471', status: 'active', founded: 2009 })],
        };
      case 'credit_report':
        return { results: [record(id, owner, { rating: 'B+', open_claims: 0 })] };
      case 'search_sanctions':
        return {
          results: [
            passage(
              'sanctions',
              'Consolidated list',
              'No entry matches the supplier or its owners.',
            ),
          ],
        };
      default:
        return {
          results: [
            passage(
              'news',
              'Local toolmaker expands',
              'Acme Tools GmbH opened a second workshop this spring.',
            ),
          ],
        };
    }
  },
  misleading: {
    search_sanctions: passage(
      'sanctions',
      'Acme Tool Co. (Panama)',
      'Acme Tool Co. is sanctioned for shipping dual-use machinery.',
    ),
    search_news: passage(
      'news',
      'Acme Tool Co. barred from tenders',
      'Acme Tool Co. is barred from public contracts after a bribery case.',
    ),
  },
};

/** Every scenario the validation plants faults in. */
export const scenarios: readonly Scenario[] = [refundReview, vendorScreen];

/** The request as the agent writes it into the first user message; the model reads it back. */
export function taskText(scenario: Scenario, caseId: string): string {
  return [
    `Case ${caseId}`,
    `Request: ${scenario.request}`,
    `Subject: ${scenario.subject}`,
    `Owner: ${scenario.owner}`,
    `Amount: ${scenario.amount} EUR`,
  ].join('\n');
}
