// The JSON of the existing API routes, as the dashboard reads it.
export type { RunRecord, DriftRecord } from '../../engine/model/records.js';

/** A drift check's report (engine/drift/drift-report.ts), as JSON. */
export interface DriftReportJson {
  environment: string;
  stack: string;
  revision: string;
  checkedAt: string;
  drifted: boolean;
  resources: {
    urn: string;
    type: string;
    name: string;
    kind: 'modified' | 'deleted';
    ignored?: true;
    fields: { path: string; desired?: unknown; actual?: unknown; ignored?: true }[];
  }[];
  ignoredFields?: number;
}

/** `GET /api/reports/<branch>`: the preview report and its Markdown (the same text as the merge-request comment). */
export interface PreviewReportJson {
  branch: string;
  revision: string;
  author: string;
  generatedAt: string;
  changes: boolean;
  markdown: string;
}
