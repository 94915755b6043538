// The CSV import (POST /api/v1/imports/{kind}) with upload progress: fetch reports none, so this
// one call uses XMLHttpRequest. Problems come back as ApiError, a refused file as ImportRefused.
import { ApiError, queryString, type Problem } from './api';

export const IMPORT_KINDS = ['organisations', 'people', 'systems', 'components', 'information'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** The roles that may import each kind: those that may create its objects (permissions.csv). */
export const IMPORT_ROLES: Record<ImportKind, string[]> = {
  organisations: ['administrator'],
  people: ['administrator', 'ciso', 'head_of_administration'],
  systems: ['administrator', 'ciso', 'security_officer', 'system_owner'],
  components: ['administrator', 'ciso', 'security_officer', 'system_owner'],
  information: ['administrator', 'ciso', 'information_owner'],
};

export interface ImportResult {
  kind: ImportKind;
  dry_run: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportProblem {
  line: number;
  column?: string;
  reason: string;
  message: string;
}

/** The file was read and refused (422 invalid_file): nothing was imported. */
export class ImportRefused extends Error {
  readonly count: number;
  readonly problems: ImportProblem[];
  constructor(count: number, problems: ImportProblem[]) {
    super('invalid_file');
    this.count = count;
    this.problems = problems;
  }
}

export interface UploadOptions {
  dryRun?: boolean;
  /** Bytes sent so far and in all, while the file is sent. */
  onProgress?: (sent: number, total: number) => void;
  /** The whole file has been sent; the server is checking it. */
  onSent?: () => void;
}

export function importFile(kind: ImportKind, file: Blob, options: UploadOptions = {}): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/imports/' + kind + queryString({ dry_run: options.dryRun ? 'true' : '' }));
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-Varn-Csrf', '1');
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => options.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => options.onSent?.();
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network_error' }));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        // Not JSON: keep the status.
      }
      if (xhr.status === 200) {
        resolve(body as unknown as ImportResult);
      } else if (xhr.status === 422 && body.code === 'invalid_file') {
        reject(new ImportRefused(Number(body.error_count) || 0, (body.errors as ImportProblem[]) ?? []));
      } else {
        const problem = { status: xhr.status, code: 'http_' + xhr.status, ...body } as Problem;
        reject(new ApiError({ ...problem, status: xhr.status }));
      }
    };
    xhr.send(file);
  });
}
