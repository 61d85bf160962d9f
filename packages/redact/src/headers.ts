/**
 * Headers: credential headers are dropped, whatever their value; the values of the others are
 * scanned by the detectors. Names are compared case-insensitively and come out lower-cased, as the
 * Fetch API's `Headers` gives them.
 */
import type { KeyClassifier } from './keys.js';

/**
 * Request and response headers that carry credentials, dropped whatever the options: the HTTP
 * ones, and those the model providers, clouds and gateways use for keys and session tokens.
 * Any header whose name the key-name rules call a credential (`x-vault-token`, `x-portkey-api-key`)
 * is dropped too.
 */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  // Anthropic and others.
  'x-api-key',
  // Azure OpenAI.
  'api-key',
  // Azure API Management and Azure AI services.
  'ocp-apim-subscription-key',
  // Azure Functions.
  'x-functions-key',
  // Google (Gemini, Vertex AI, Maps).
  'x-goog-api-key',
  // AWS temporary credentials (Bedrock and every SigV4 call).
  'x-amz-security-token',
  // Cloudflare: global API key, service key, AI Gateway token, Access service token.
  'x-auth-key',
  'x-auth-user-service-key',
  'cf-aig-authorization',
  'cf-access-client-secret',
  // Gateways and observability proxies.
  'helicone-auth',
  'x-portkey-api-key',
  // Common token headers (OpenStack, GitLab, Vault, many internal APIs).
  'x-auth-token',
  'x-access-token',
  'private-token',
  'x-vault-token',
]);

/** A compiled test of a lower-case header name: true when the header is dropped. */
export type HeaderDrop = (lowercaseName: string) => boolean;

/** Compiles the dropped headers once: the credential headers, credential names, and `drop`. */
export function compileHeaderDrop(
  drop: readonly (string | RegExp)[],
  classify: KeyClassifier,
): HeaderDrop {
  const names = new Set(CREDENTIAL_HEADERS);
  const patterns: RegExp[] = [];
  for (const entry of drop) {
    if (typeof entry === 'string') names.add(entry.toLowerCase());
    // A global or sticky pattern keeps state between tests: use a stateless copy.
    else patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')));
  }
  return (name) =>
    names.has(name) || classify(name) !== undefined || patterns.some((p) => p.test(name));
}
