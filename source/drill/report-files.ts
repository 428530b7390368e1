// Writes a drill report directory: report.json, report.md and timeline.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from '../core/drill/render-markdown.js';
import { renderSvg } from '../core/drill/render-svg.js';
import type { DrillReport } from '../core/drill/report.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';

export interface ReportPaths {
  dir: string;
  json: string;
  markdown: string;
  svg: string;
}

export function writeReport(dir: string, report: DrillReport): ReportPaths {
  const paths = { dir, json: join(dir, 'report.json'), markdown: join(dir, 'report.md'), svg: join(dir, report.chart) };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.json, JSON.stringify(report, null, 2) + '\n');
    writeFileSync(paths.markdown, renderMarkdown(report));
    writeFileSync(paths.svg, renderSvg(report));
  } catch (error) {
    throw new HatuiError(`cannot write the drill report to ${dir}: ${(error as Error).message}`, ExitCode.failed);
  }
  return paths;
}
