/**
 * The blame ranking: each step's flip rate and its confidence interval drawn as a bar on a 0–1
 * scale with the null rate marked, the responsible set marked, untrustworthy steps shown as such.
 */
import type { ReportBlame } from '../shared/report-data.js';

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function BlamePanel({
  blame,
  onSelect,
}: {
  blame: ReportBlame;
  onSelect: (seq: number) => void;
}) {
  return (
    <section class="blame" aria-label="Blame">
      <p>
        Oracle <code>{blame.oracle}</code> was <b>{blame.parentOutcome ? 'true' : 'false'}</b> on
        the recorded run. Flip rate: how often perturbing the step flipped it ({blame.method}{' '}
        {pct(blame.confidence)} intervals; null rate {pct(blame.nullRate)}, false discovery rate{' '}
        {blame.q}).
      </p>
      <p>
        <b>{blame.responsible.length}</b> responsible step
        {blame.responsible.length === 1 ? '' : 's'} · {blame.spend.calls} calls,{' '}
        {blame.spend.tokens} tokens spent
        {blame.partial ? ' · PARTIAL: the budget ran out before every trial ran' : ''}
      </p>
      <ol class="ranking" aria-label="Blame ranking">
        {blame.ranking.map((index, rank) => {
          const s = blame.steps[index];
          if (s === undefined) return null;
          const cls = `rank${s.responsible ? ' responsible' : ''}${s.trustworthy ? '' : ' untrustworthy'}`;
          return (
            <li key={index} class={cls} data-seq={s.seq}>
              <button
                type="button"
                onClick={() => onSelect(s.seq)}
                aria-label={`Rank ${rank + 1}: ${s.label}, flip rate ${pct(s.flipRate)}, interval ${pct(s.interval.low)} to ${pct(s.interval.high)}${s.responsible ? ', responsible' : ''}${s.trustworthy ? '' : ', untrustworthy'}`}
              >
                <span class="rank-no">{rank + 1}</span>
                <span class="rank-label">
                  {s.label}
                  {s.responsible ? <span class="tag responsible-tag">responsible</span> : null}
                  {s.trustworthy ? null : (
                    <span
                      class="tag untrustworthy-tag"
                      title="Fewer than half its trials gave a valid outcome"
                    >
                      untrustworthy
                    </span>
                  )}
                </span>
                <span class="rank-rate">{pct(s.flipRate)}</span>
                <span class="bar-track" aria-hidden="true">
                  <span class="null-mark" style={{ left: pct(blame.nullRate) }} />
                  <span
                    class="interval"
                    style={{
                      left: pct(s.interval.low),
                      width: pct(Math.max(0.005, s.interval.high - s.interval.low)),
                    }}
                  />
                  <span class="point" style={{ left: pct(s.flipRate) }} />
                </span>
                <span class="rank-trials muted">
                  {s.flips}/{s.valid} flips · {s.undefined} undefined · {s.perturbation}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
