/** A test's name as its tape knows it: its describe chain and its title, the file left out. */
import type { RunnerTask, RunnerTestCase } from 'vitest';

/** The names of the suites around `test`, outermost first, then its title. */
export function namesOf(test: RunnerTask): string[] {
  const names = [test.name];
  for (let suite = test.suite; suite !== undefined && suite !== test.file; suite = suite.suite) {
    names.unshift(suite.name);
  }
  return names;
}

/** How many other tests of the file carry exactly these names. */
export function sameNamed(test: RunnerTestCase, names: readonly string[]): number {
  let count = 0;
  const key = JSON.stringify(names);
  const visit = (tasks: readonly RunnerTask[]) => {
    for (const task of tasks) {
      if (task.type === 'suite') visit(task.tasks);
      else if (task !== test && task.name === test.name && JSON.stringify(namesOf(task)) === key)
        count++;
    }
  };
  visit(test.file.tasks);
  return count;
}
