/** The audit log's verification, stated plainly: integrity and completeness each said, never implied. */
import type { ReportAudit } from '../shared/report-data.js';

export function AuditStatus({ audit }: { audit: ReportAudit }) {
  const v = audit.verification;
  return (
    <section class="audit-status" aria-label="Audit verification">
      <p class={`verdict ${v.integrity.ok ? 'good' : 'bad'}`}>
        <b>Integrity: {v.integrity.ok ? 'intact' : 'BROKEN'}</b> — {v.checked} entries checked
        {v.integrity.problem === undefined ? '' : `: ${v.integrity.problem}`}
      </p>
      <p class={`verdict ${v.completeness.ok ? 'good' : 'bad'}`}>
        <b>
          Completeness:{' '}
          {v.completeness.ok
            ? `proven through seq ${v.completeness.provenThrough ?? '?'}`
            : 'NOT PROVEN'}
        </b>
        {v.completeness.problem === undefined ? '' : ` — ${v.completeness.problem}`}
        {v.completeness.ok && (v.completeness.unanchored ?? 0) > 0
          ? ` — ${v.completeness.unanchored} entries after the last checkpoint are unproven`
          : ''}
      </p>
      <p class="muted">{v.summary}</p>
    </section>
  );
}
