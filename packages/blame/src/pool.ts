/**
 * Runs tasks with at most `limit` at once; results in the order of the tasks. When a task throws,
 * no further task starts, the running ones are waited for, and the first error is thrown.
 */
export async function runPool<R>(
  tasks: readonly (() => Promise<R>)[],
  limit: number,
): Promise<R[]> {
  const results = new Array<R>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && failure === undefined) {
      const index = next++;
      try {
        results[index] = await tasks[index]!();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
