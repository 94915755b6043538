// Risk management: the organisation's matrix, assessments with participants, risks with inherent
// and residual ratings, measures and acceptance. The API calls, and the matrix arithmetic the
// pages share (score, band, a readable colour for text on a band).
import { queryString, request, type Page, type Query } from './api';
import { session } from './session.svelte';

export interface Band {
  name: string;
  colour: string;
  max: number;
}

export interface RiskMatrix {
  organisation?: string;
  likelihood_names: string[];
  consequence_names: string[];
  bands: Band[];
  acceptance_threshold: number;
  acceptance_validity: string;
}

export type AssessmentStatus = 'draft' | 'in_progress' | 'approved';
export const ASSESSMENT_STATUSES: AssessmentStatus[] = ['draft', 'in_progress', 'approved'];
export type AssessmentScope = 'system' | 'systems' | 'organisation';
export const ASSESSMENT_SCOPES: AssessmentScope[] = ['system', 'systems', 'organisation'];
export type TriggerKind = 'yearly' | 'significant_change' | 'incident' | 'new_information';
export const TRIGGER_KINDS: TriggerKind[] = ['yearly', 'significant_change', 'incident', 'new_information'];
export type Treatment = 'reduce' | 'accept' | 'avoid' | 'transfer';
export const TREATMENTS: Treatment[] = ['reduce', 'accept', 'avoid', 'transfer'];
export type MeasureStatus = 'planned' | 'in_progress' | 'done' | 'cancelled';

/** A reference to a system or information asset: its external id, or the id with its name. */
export type Ref = string | { external_id: string; name?: string };

export interface Participant {
  user_id: string;
  name?: string;
  capacity: 'system_owner' | 'information_owner' | 'other';
  participated_at: string | null;
}

export interface Assessment {
  id: number;
  organisation: string;
  title: string;
  scope: AssessmentScope;
  systems: Ref[];
  assessed_on: string;
  trigger_kind: TriggerKind;
  method: string;
  status: AssessmentStatus;
  approved_by: string | null;
  approved_at: string | null;
  participants?: Participant[];
  risk_count?: number;
}

export interface BandRef {
  name: string;
  colour: string;
}

export interface Risk {
  id: number;
  external_id?: string | null;
  assessment: number;
  organisation: string;
  title: string;
  threat: string;
  vulnerability: string;
  systems: Ref[];
  information: Ref[];
  inherent_likelihood: number;
  inherent_consequence: number;
  residual_likelihood: number | null;
  residual_consequence: number | null;
  inherent_score?: number;
  residual_score?: number | null;
  inherent_band?: BandRef | null;
  residual_band?: BandRef | null;
  treatment: Treatment | null;
  owner: string;
  accepted_by?: string | null;
  accepted_at?: string | null;
  acceptance_expires?: string | null;
}

export interface Measure {
  id: number;
  title: string;
  owner: string;
  due: string;
  status: MeasureStatus;
  done_on: string | null;
  evidence: string | null;
}

const enc = encodeURIComponent;

export const riskApi = {
  matrix: (code: string) => request<RiskMatrix>('GET', '/organisations/' + enc(code) + '/risk-matrix'),
  assessments: (query: Query, signal?: AbortSignal) =>
    request<Page<Assessment>>('GET', '/risk-assessments' + queryString(query), { signal }),
  assessmentsExportUrl: (query: Query, format: 'csv' | 'xlsx') => '/api/v1/risk-assessments' + queryString({ ...query, format }),
  assessment: (id: string | number) => request<Assessment>('GET', '/risk-assessments/' + enc(String(id))),
  createAssessment: (body: Record<string, unknown>) => request<Assessment>('POST', '/risk-assessments', { body }),
  updateAssessment: (id: string | number, body: Record<string, unknown>) =>
    request<Assessment>('PATCH', '/risk-assessments/' + enc(String(id)), { body }),
  participated: (id: string | number, userId: string) =>
    request<unknown>('PUT', '/risk-assessments/' + enc(String(id)) + '/participants/' + enc(userId), { body: { participated: true } }),
  risks: (query: Query, signal?: AbortSignal) => request<Page<Risk>>('GET', '/risks' + queryString(query), { signal }),
  risksExportUrl: (query: Query, format: 'csv' | 'xlsx') => '/api/v1/risks' + queryString({ ...query, format }),
  risk: (id: string | number) => request<Risk>('GET', '/risks/' + enc(String(id))),
  createRisk: (body: Record<string, unknown>) => request<Risk>('POST', '/risks', { body }),
  updateRisk: (id: string | number, body: Record<string, unknown>) =>
    request<Risk>('PATCH', '/risks/' + enc(String(id)), { body }),
  accept: (id: string | number) => request<Risk>('POST', '/risks/' + enc(String(id)) + '/acceptance', { body: {} }),
  measures: (id: string | number) => request<Page<Measure>>('GET', '/risks/' + enc(String(id)) + '/measures'),
  addMeasure: (id: string | number, body: Record<string, unknown>) =>
    request<Measure>('POST', '/risks/' + enc(String(id)) + '/measures', { body }),
  updateMeasure: (id: string | number, measureId: number, body: Record<string, unknown>) =>
    request<Measure>('PATCH', '/risks/' + enc(String(id)) + '/measures/' + enc(String(measureId)), { body }),
};

/** Every page of a list, up to `max` items; `truncated` when there were more. */
export async function allPages<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  max = 20000,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? null;
  } while (cursor && items.length < max);
  return { items, truncated: cursor !== null };
}

// ---- who may do what (the server decides; these only choose which buttons to show) ----

/** Roles that read risks: everyone but suppliers' contacts and external parties. */
export const RISK_READ_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner', 'manager',
  'head_of_administration', 'dpo', 'committee_member', 'user'];
/** Roles that create and change assessments, risks and measures (the API's permission matrix). */
export const RISK_WRITE_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner'];
/** Roles that approve an assessment (a person holding one in the organisation or above it). */
export const RISK_APPROVE_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner'];
/** Roles that record who took part in an assessment. */
export const RISK_PARTICIPATION_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner'];
/** Roles that accept a risk (within the organisation's acceptance rules). */
export const RISK_ACCEPT_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner',
  'head_of_administration'];

export function hasRole(roles: string[]): boolean {
  return (session.me?.roles ?? []).some((r) => roles.includes(r.role));
}

// ---- the matrix ----

export function refId(ref: Ref): string {
  return typeof ref === 'string' ? ref : ref.external_id;
}
export function refName(ref: Ref): string {
  return typeof ref === 'string' ? ref : (ref.name ?? ref.external_id);
}

/** The band a score falls in: the first whose max reaches it (the last one otherwise). */
export function bandFor(matrix: RiskMatrix, score: number): Band | null {
  if (!matrix.bands.length) return null;
  return matrix.bands.find((b) => score <= b.max) ?? matrix.bands[matrix.bands.length - 1];
}

function luminance(hex: string): number | null {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m) return null;
  let h = m[1];
  if (h.length === 3) h = h.replace(/./g, (c) => c + c);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever contrasts more with the colour (always at least 4.5:1). */
export function textOn(colour: string): string {
  const l = luminance(colour);
  if (l === null) return '#000000';
  const onBlack = (l + 0.05) / 0.05;
  const onWhite = 1.05 / (l + 0.05);
  return onBlack >= onWhite ? '#000000' : '#ffffff';
}

/** A colour the API sent, if it is one; a neutral grey otherwise (it goes into an attribute). */
export function safeColour(colour: string | undefined | null): string {
  return colour && /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.test(colour.trim()) ? colour.trim() : '#e0e0e0';
}

/** A date plus an ISO 8601 period of years, months, weeks and days (P1Y, P6M, P90D). */
export function addPeriod(date: string, period: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(period);
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m || !d) return '';
  const years = Number(m[1] ?? 0);
  const months = Number(m[2] ?? 0);
  const days = Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0);
  const y = +d[1] + years;
  const mo = +d[2] - 1 + months;
  // Clamp to the month's last day (31 January + 1 month is 28 or 29 February).
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const out = new Date(Date.UTC(y, mo, Math.min(+d[3], last)));
  out.setUTCDate(out.getUTCDate() + days);
  return out.toISOString().slice(0, 10);
}

export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
