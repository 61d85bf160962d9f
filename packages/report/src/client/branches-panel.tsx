/**
 * The run's fork tree; a selected branch shown against its parent, step by step, the first
 * differing step highlighted, with the JSON paths that differ.
 */
import type { Json, ReportBranch } from '../shared/report-data.js';

const stepText = (step: { exchange: number } | { draw: number }) =>
  'exchange' in step ? `exchange ${step.exchange}` : `draw ${step.draw}`;
const sameStep = (a: ReportBranch['at'] | undefined, b: ReportBranch['at']) =>
  a !== undefined && stepText(a) === stepText(b);
const show = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));

function Tree({
  branches,
  selected,
  onSelect,
}: {
  branches: readonly ReportBranch[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  return (
    <ul class="tree">
      {branches.map((b) => (
        <li key={b.id}>
          <button
            type="button"
            class={selected === b.id ? 'on' : ''}
            aria-pressed={selected === b.id}
            onClick={() => onSelect(b.id)}
            aria-label={`Branch ${b.id}, forked at ${stepText(b.at)}`}
          >
            {b.id}{' '}
            <span class="muted">
              at {stepText(b.at)}
              {b.attached ? '' : ' · detached'}
            </span>
          </button>
          {b.branches.length > 0 ? (
            <Tree branches={b.branches} selected={selected} onSelect={onSelect} />
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export function findBranch(
  branches: readonly ReportBranch[],
  id: string,
): ReportBranch | undefined {
  for (const b of branches) {
    if (b.id === id) return b;
    const inner = findBranch(b.branches, id);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

export function BranchesPanel(props: {
  runId: string;
  branches: readonly ReportBranch[] | undefined;
  problem: string | undefined;
  selected: string | undefined;
  onSelect: (id: string) => void;
  onShowStep: (step: ReportBranch['at']) => void;
}) {
  const { branches, selected } = props;
  if (branches === undefined) return <p class="muted">{props.problem ?? 'No branches.'}</p>;
  if (branches.length === 0)
    return <p class="muted">No branches: fork this run with forkRun of @trace/fork to make one.</p>;
  const branch = selected === undefined ? undefined : findBranch(branches, selected);
  return (
    <section class="branches" aria-label="Branches">
      <p class="muted">Fork tree of {props.runId}</p>
      <Tree branches={branches} selected={selected} onSelect={props.onSelect} />
      {branch === undefined ? null : (
        <section class="branch-diff" aria-label={`Diff of ${branch.id}`}>
          <h3>
            {branch.id} against {branch.parent}
          </h3>
          <p>
            Forked at <b>{stepText(branch.at)}</b>, intervention{' '}
            <code>{show(branch.intervention)}</code>
          </p>
          {branch.diff === undefined ? (
            <p class="error-box">The diff could not be computed: {branch.diffProblem}</p>
          ) : branch.diff.steps.length === 0 ? (
            <p>No step differs from the parent.</p>
          ) : (
            <ol class="diff-steps">
              {branch.diff.steps.map((s, i) => {
                const first = i === 0 && sameStep(branch.diff?.parted, s.step);
                return (
                  <li key={i} class={first ? 'parted' : ''}>
                    <div class="diff-head">
                      {first ? <span class="tag first-tag">first difference</span> : null}
                      <b>{stepText(s.step)}</b> · {s.part}
                      {branch.parent === props.runId ? (
                        <button
                          type="button"
                          class="link"
                          onClick={() => props.onShowStep(s.step)}
                          aria-label={`Show ${stepText(s.step)} of ${branch.parent} in the timeline`}
                        >
                          show in timeline
                        </button>
                      ) : null}
                    </div>
                    {s.differences.length === 0 ? null : (
                      <table class="paths" aria-label={`Differences at ${stepText(s.step)}`}>
                        <thead>
                          <tr>
                            <th scope="col">path</th>
                            <th scope="col">parent</th>
                            <th scope="col">branch</th>
                          </tr>
                        </thead>
                        <tbody>
                          {s.differences.map((d) => (
                            <tr key={d.path}>
                              <td>
                                <code>{d.path}</code>
                              </td>
                              <td class="was">{show(d.parent)}</td>
                              <td class="now">{show(d.branch)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
