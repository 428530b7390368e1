// The drill's report screen: every figure of the report (core/drill/report.ts figureRows, the same
// table report.md is written from) against its target with pass/fail, and where the files were written.
import React from 'react';
import { Box, Text } from 'ink';
import { figureRows, humanMs, measuredOnNote, type DrillReport } from '../../core/drill/report.js';
import type { ReportPaths } from '../../drill/report-files.js';

export interface DrillReportProps {
  report: DrillReport;
  files: Pick<ReportPaths, 'markdown' | 'json' | 'svg'>;
  width: number;
  /** Why the run stopped, when its steps did not all end ok. */
  runMessage?: string;
}

export function DrillReportScreen({ report, files, width, runMessage }: DrillReportProps): React.ReactElement {
  const rows = figureRows(report);
  const labelWidth = Math.min(52, Math.max(...rows.map((r) => r.label.length)));
  const double = measuredOnNote(report);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>
        Drill report · {report.runbook.title} ·{' '}
        <Text color={report.pass ? 'green' : 'red'}>{report.pass ? 'PASS' : 'FAIL'}</Text>
      </Text>
      {double ? <Text color="yellow">{double[0]!.toUpperCase() + double.slice(1)}</Text> : null}
      <Text wrap="wrap">
        run {report.run_outcome}: {report.steps.map((s) => `${s.id} ${s.outcome}`).join(' · ')}
      </Text>
      {runMessage ? (
        <Text color="red" wrap="wrap">
          {runMessage}
        </Text>
      ) : null}
      {rows.map((r) => {
        const value = r.field.endsWith('_ms') ? humanMs(r.value) : r.value === null ? 'not measured' : String(r.value);
        return (
          <Text key={r.field}>
            {r.label.padEnd(labelWidth)}  {value.padEnd(14)} target {r.target.padEnd(12)}{' '}
            <Text color={r.verdict === 'pass' ? 'green' : r.verdict === 'fail' ? 'red' : undefined}>{r.verdict}</Text>
          </Text>
        );
      })}
      {report.standby_at_fault ? (
        <Text>
          standby (DR) delay behind {report.standby_at_fault.of} at the fault:{' '}
          {report.standby_at_fault.delay_bytes === null ? `unknown (${report.standby_at_fault.error ?? 'no answer'})` : `${report.standby_at_fault.delay_bytes} B, ${report.standby_at_fault.delay_seconds ?? '?'} s`}
        </Text>
      ) : null}
      <Text> </Text>
      <Text>report: {files.markdown}</Text>
      <Text>also:   {files.json}  {files.svg}</Text>
      <Text dimColor>q or Esc: back to the runbook list</Text>
    </Box>
  );
}
