import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { ReportData } from '../shared/report-data.js';
import { escapeHtml, reportHtml, scriptSafe } from './html.js';

it('embeds any JSON so that it parses back unchanged and cannot close its script element (property)', () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.constantFrom('</script>', '</SCRIPT ', '<!--', '\u2028'),
      (value, nasty) => {
        const text = scriptSafe(JSON.stringify([value, nasty]));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify([value, nasty])));
        expect(text).not.toMatch(/<\/script|<!--|\u2028/i);
      },
    ),
  );
});

it('escapes text for HTML', () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
    '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;',
  );
});

const data = (id: string, note: string): ReportData => ({
  version: 1,
  run: {
    id,
    fingerprint: 'f'.repeat(64),
    complete: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    counts: { exchange: 0, draw: 0, annotation: 1 },
    metadata: {},
  },
  time: { basis: 'durations' },
  events: [{ seq: 0, t: 0, type: 'annotation', data: note }],
  bodies: [],
  generatedAt: '2026-01-01T00:00:00.000Z',
});

it('writes the data as JSON when small and gzipped base64 when large, both reading back whole', () => {
  const small = data('run <1>', '</script><script>alert(1)</script>');
  const html = reportHtml({ data: small, script: 'window.x = "</script>"' });
  expect(html).toContain('<title>run &#60;1&#62; · @trace report</title>');
  expect(html.match(/<\/script>/g)).toHaveLength(2);
  const json = html.match(/data-encoding="json">([^<]*)<\/script>/)![1]!;
  expect(JSON.parse(json)).toEqual(small);

  const big = data('big', 'x'.repeat(100_000));
  const packed = reportHtml({ data: big, script: '' });
  const base64 = packed.match(/data-encoding="gzip\+base64">([^<]*)<\/script>/)![1]!;
  expect(JSON.parse(gunzipSync(Buffer.from(base64, 'base64')).toString('utf8'))).toEqual(big);
  expect(packed.length).toBeLessThan(10_000);
});

it('loads nothing: the page has no src, href or url() and a policy that forbids fetching', () => {
  const html = reportHtml({ data: data('r', 'n'), script: '' });
  expect(html).not.toMatch(/\ssrc=|\shref=|url\(/);
  expect(html).toContain("default-src 'none'");
});
