/**
 * @module eval/report/write-report — analyse the answers, decide, and write report.json, summary.md and
 * index.html into the output folder (and nowhere else).
 */
import type { EvalCase } from '../../data-check/schemas.ts';
import type { AnswerRecord, EvalSystem } from '../answer-record.ts';
import { analyse } from '../compare.ts';
import { decide } from '../decide.ts';
import type { Judgment } from '../judge.ts';
import type { OutputFolder } from '../output-folder.ts';
import { buildReport, type OnlineFeedback, type Report } from './build-report.ts';
import { chartSpecs, renderSvg } from './charts.ts';
import { reportHtml } from './html.ts';
import { summaryMarkdown } from './summary-md.ts';

export async function writeReport(input: {
  folder: OutputFolder;
  department: string;
  setPath: string;
  gateway: string;
  baseModel: string;
  cases: EvalCase[];
  systems: EvalSystem[];
  answers: AnswerRecord[];
  complete: boolean;
  k: number;
  requireCitations?: boolean;
  feedback?: OnlineFeedback | null;
  judgments?: Judgment[];
}): Promise<{ report: Report; summary: string }> {
  const analysis = analyse(input.cases, input.systems, input.answers, input.k, input.judgments);
  const decision = decide(analysis, { department: input.department, requireCitations: input.requireCitations });
  const report = buildReport({ ...input, analysis, decision, feedback: input.feedback ?? null });
  const charts = await Promise.all(
    chartSpecs(analysis).map(async (chart) => ({ chart, svg: await renderSvg(chart.spec) })),
  );
  const summary = summaryMarkdown(report, analysis);
  input.folder.write('report.json', `${JSON.stringify(report, null, 2)}\n`);
  input.folder.write('summary.md', summary);
  input.folder.write('index.html', reportHtml(report, analysis, charts));
  return { report, summary };
}
