import { stat } from 'node:fs/promises';
import { AuditError } from '../errors.js';
import { dayOf, inDir, listDayFiles } from '../files.js';
import { type OnLines, scanLines } from '../lines.js';
import type { CrashArtefact, LocatedProblem } from './report.js';

/** The day files of the log directory `dir`, oldest first. */
export async function listLog(dir: string): Promise<string[]> {
  // A mistyped path must not verify as an empty, perfectly intact log.
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new AuditError(
      'AUDIT_READ_FAILED',
      `${dir} is not an audit log directory: check the path.`,
      { cause: error, details: { dir } },
    );
  }
  return listDayFiles(dir);
}

/** Receives the walk: each file as it starts, then its lines as bytes, a batch at a time. */
export interface LineVisitor {
  startFile(file: string, fileIndex: number, day: string): void;
  readonly lines: OnLines;
}

/** What the walk found besides lines: torn last lines, sorted into crash artefacts and damage. */
export interface WalkResult {
  /** Unterminated bytes at the end of the log's last non-empty file: a crash mid-write. */
  readonly crashArtefacts: CrashArtefact[];
  /** Unterminated bytes followed by more of the log: not something a crash leaves. */
  readonly tornMidLog: LocatedProblem[];
}

/** Streams every day file, in order, to `visitor`; memory does not grow with the log. */
export async function walkDayFiles(
  dir: string,
  files: readonly string[],
  visitor: LineVisitor,
  chunkBytes?: number,
): Promise<WalkResult> {
  const torn: Array<{
    file: string;
    fileIndex: number;
    line: number;
    offset: number;
    bytes: number;
    laterContent: boolean;
  }> = [];
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex]!;
    visitor.startFile(file, fileIndex, dayOf(file)!);
    const { lines, trailer } = await scanLines(inDir(dir, file), visitor.lines, chunkBytes);
    // A torn line is a crash artefact only if nothing of the log comes after it.
    if (lines > 0 || trailer) for (const earlier of torn) earlier.laterContent = true;
    if (trailer) torn.push({ file, fileIndex, ...trailer, laterContent: false });
  }
  const result: WalkResult = { crashArtefacts: [], tornMidLog: [] };
  for (const { file, fileIndex, line, offset, bytes, laterContent } of torn) {
    if (laterContent) {
      result.tornMidLog.push({
        kind: 'torn_line_mid_log',
        file,
        line,
        fileIndex,
        seq: null,
        message: 'an unterminated line in a day file that is not the last: not a crash artefact',
      });
    } else {
      result.crashArtefacts.push({ file, line, offset, bytes });
    }
  }
  return result;
}
