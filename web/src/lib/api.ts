// The JSON API under /api/v1/: one function for every call, problem documents as ApiError.
// The session is an HttpOnly cookie the browser sends by itself; unsafe requests carry the
// X-Varn-Csrf header the server demands.

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  field?: string;
  request_id?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field: string | undefined;
  readonly requestId: string | undefined;
  /** Seconds from a Retry-After header, when there was one. */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, retryAfter?: number) {
    super(problem.detail || problem.title || problem.code);
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail ?? '';
    this.field = problem.field || undefined;
    this.requestId = problem.request_id;
    this.retryAfter = retryAfter;
  }
}

/** Called when the server says the session is gone (401 unauthenticated) outside the login. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type Query = Record<string, string | number | null | undefined>;

/** A query string from the non-empty values, with a leading '?' when there are any. */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const s = params.toString();
  return s ? '?' + s : '';
}

interface Options {
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat 401 as an expired session (the login itself). */
  login?: boolean;
}

export async function request<T>(method: string, path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (UNSAFE.has(method)) headers['X-Varn-Csrf'] = '1';
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch('/api/v1' + path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError({ status: 0, code: 'network_error' });
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  let problem: Problem = { status: response.status, code: 'http_' + response.status };
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const parsed = (await response.json()) as Partial<Problem>;
      problem = { ...problem, ...parsed, status: response.status };
    } catch {
      // Not a problem document after all; keep the status.
    }
  }
  const retry = Number(response.headers.get('Retry-After'));
  const error = new ApiError(problem, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  if (error.status === 401 && !options.login) onUnauthenticated();
  return Promise.reject(error);
}

// ---- the resources ----

export type Mfa = 'required' | 'enrol' | 'none';

export interface OrgSummary {
  code: string;
  name: string;
  kind: OrgKind;
  parent_code: string | null;
}

export type OrgKind = 'it_centre' | 'municipality' | 'company' | 'foundation' | 'supplier' | 'external';
export const ORG_KINDS: OrgKind[] = ['it_centre', 'municipality', 'company', 'foundation', 'supplier', 'external'];

export interface Me {
  user_id: string;
  name: string;
  email: string;
  organisation: { code: string; name: string };
  mfa_enabled: boolean;
  mfa_passed: boolean;
  roles: { role: string; organisation: string }[];
  organisations: OrgSummary[];
}

export interface Organisation extends OrgSummary {
  org_number: string | null;
  mfa_required: boolean;
}

export interface Person {
  user_id: string;
  name: string;
  email: string;
  organisation: string;
  manager_user_id: string | null;
  employment_start: string | null;
  employment_end: string | null;
  privileged: boolean;
  disabled: boolean;
}

export interface Role {
  id: string;
  name_sv: string;
  name_en: string;
}

export interface RoleAssignment {
  id: string | number;
  user_id: string;
  person_name: string;
  role: string;
  organisation: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string | null;
  address: string | null;
  action: string;
  object_kind: string | null;
  object_id: string | null;
  organisation: string | null;
  before: unknown;
  after: unknown;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface MfaEnrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}


export type Lifecycle = 'planned' | 'production' | 'decommissioning' | 'retired';
export const LIFECYCLES: Lifecycle[] = ['planned', 'production', 'decommissioning', 'retired'];
export type Hosting = 'own' | 'it_centre' | 'supplier' | 'cloud';
export const HOSTINGS: Hosting[] = ['own', 'it_centre', 'supplier', 'cloud'];
export type PersonalData = 'none' | 'personal' | 'sensitive';
export const PERSONAL_DATA: PersonalData[] = ['none', 'personal', 'sensitive'];
export const LEVELS = [0, 1, 2, 3, 4];
export type Aspect = 'k' | 'r' | 't';
export const ASPECTS: Aspect[] = ['k', 'r', 't'];
export const RAISE_REASONS = ['accumulation', 'aggregation', 'integration', 'other'];
export type ComponentKind = 'hardware' | 'software' | 'licence';
export const COMPONENT_KINDS: ComponentKind[] = ['hardware', 'software', 'licence'];

export interface System {
  external_id: string;
  name: string;
  description: string | null;
  organisation: string;
  system_owner: string;
  administrator: string | null;
  supplier: string | null;
  lifecycle: Lifecycle;
  hosting: Hosting;
  hosting_country: string | null;
  internet_facing: boolean;
  sso: boolean;
  mfa_enforced: boolean;
  last_significant_change: string | null;
  k: number;
  r: number;
  t: number;
  level: number;
  level_name_sv: string;
  personal_data: PersonalData;
  created_at: string;
  updated_at: string;
  /** Codes of the organisations that use the system (as far as the reader reaches). */
  users?: string[];
  /** External ids of the systems it depends on (as far as the reader reaches). */
  dependencies?: string[];
}

export interface SystemComponent {
  id: number;
  kind: ComponentKind;
  name: string;
  vendor: string | null;
  product: string | null;
  version: string | null;
  cpe: string | null;
  licence_count: number | null;
  licences_in_use: number | null;
  licence_expiry: string | null;
  licence_cost: number | null;
  end_of_support: string | null;
}

export interface Raise {
  level: number;
  reason: string;
  note: string | null;
  by: string;
  at: string;
}

export interface AspectProtection {
  level: number;
  level_name_sv: string;
  inherited: number;
  driven_by: { external_id: string; name: string } | null;
  raised: Raise | null;
}

export interface LinkedInformation {
  external_id: string;
  name: string;
  k: number;
  r: number;
  t: number;
  personal_data: PersonalData;
}

export interface Protection {
  k: AspectProtection;
  r: AspectProtection;
  t: AspectProtection;
  information?: LinkedInformation[];
}

export interface Requirement {
  code: string;
  aspect: string;
  min_level: number;
  text_sv: string;
  text_en: string;
  met: boolean | null;
}

export interface Requirements {
  external_id: string;
  lifecycle: Lifecycle;
  kravlista: boolean;
  items: Requirement[];
}

export interface Information {
  external_id: string;
  name: string;
  description: string | null;
  organisation: string;
  information_owner: string;
  k: number;
  r: number;
  t: number;
  personal_data: PersonalData;
  secrecy_reference: string | null;
  classified_at: string | null;
  classified_by: string | null;
  review_due: string | null;
  created_at: string;
  updated_at: string;
}

export type FindingStatus = 'overdue' | 'missing' | 'due_soon' | 'not_tracked' | 'excepted' | 'ok';
/** The statuses in the order of urgency (the findings list's order). */
export const FINDING_STATUSES: FindingStatus[] = ['overdue', 'missing', 'due_soon', 'not_tracked', 'excepted', 'ok'];
export type StatusCounts = Record<FindingStatus, number>;

export interface Finding {
  id: number;
  obligation: string;
  cite: string;
  section: string;
  organisation: string;
  subject: {
    kind: 'organisation' | 'system' | 'information' | 'person' | 'risk' | 'risk_measure' | 'risk_assessment' | 'account' | 'grant';
    id: string;
    name: string;
  };
  status: FindingStatus;
  due: string | null;
  responsible: string | null;
  profile: string;
  profile_version: string;
  rule: string;
}

export interface Counted {
  counts: StatusCounts;
  total: number;
  met_share: number | null;
}

export interface SectionSummary extends Counted {
  profile: string;
  section: string;
}

export interface FindingsSummary {
  organisations: (Counted & { organisation: string; name: string; sections: SectionSummary[] })[];
  region: Counted & { sections: SectionSummary[] };
}

export interface FindingsTrend {
  from: string;
  to: string;
  days: number;
  points: (Counted & { day: string })[];
}

export interface PolicyListItem {
  code: string;
  version: string;
  title: string;
  builtin: boolean;
  updated_at: string;
  organisations: string[];
}

export interface Obligation extends Counted {
  id: string;
  cite: string;
  section: string;
  kind: string;
  text: string;
  paragraph: string | null;
  rule: string;
  responsible: string | null;
  responsible_text: string | null;
}

export interface Policy extends PolicyListItem {
  sections: string[];
  obligations: Obligation[];
}

export interface Attestation {
  id: number;
  organisation: string;
  obligation: string;
  attested_by: string;
  attested_at: string;
  statement: string;
  evidence_reference: string | null;
  evidence: { name: string; content_type: string } | null;
}

// ---- catforms: requirement rules, a supplier's contract ----

export type RuleAspect = 'k' | 'r' | 't' | 'personal_data';
export const RULE_ASPECTS: RuleAspect[] = ['k', 'r', 't', 'personal_data'];

export interface RequirementRule {
  id: number;
  organisation: string | null;
  source: 'default' | 'organisation' | 'inherited';
  aspect: RuleAspect;
  min_level: number;
  code: string;
  text_sv: string;
  text_en: string;
  applies_to_planned: boolean;
}

export interface Contract {
  organisation?: string;
  contract_reference: string | null;
  contract_end: string | null;
  updated_at: string | null;
}

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) =>
    request<{ mfa: Mfa }>('POST', '/session', { body: { username, password }, login: true }),
  verifyMfa: (code: string) =>
    request<{ mfa: 'done' }>('POST', '/session/mfa', { body: { code }, login: true }),
  logout: () => request<void>('DELETE', '/session', { login: true }),
  startEnrolment: () => request<MfaEnrolment>('POST', '/me/mfa', { login: true }),
  confirmEnrolment: (code: string) =>
    request<{ recovery_codes: string[] }>('POST', '/me/mfa/confirm', { body: { code }, login: true }),
  me: () => request<Me>('GET', '/me', { login: true }),

  roles: () => request<{ items: Role[] }>('GET', '/roles'),

  organisations: (query: Query, signal?: AbortSignal) =>
    request<Page<Organisation>>('GET', '/organisations' + queryString(query), { signal }),
  organisation: (code: string) => request<Organisation>('GET', '/organisations/' + enc(code)),
  createOrganisation: (body: Record<string, unknown>) =>
    request<Organisation>('POST', '/organisations', { body }),
  updateOrganisation: (code: string, body: Record<string, unknown>) =>
    request<Organisation>('PATCH', '/organisations/' + enc(code), { body }),

  people: (query: Query, signal?: AbortSignal) =>
    request<Page<Person>>('GET', '/people' + queryString(query), { signal }),
  person: (userId: string) => request<Person>('GET', '/people/' + enc(userId)),
  createPerson: (body: Record<string, unknown>) => request<Person>('POST', '/people', { body }),
  updatePerson: (userId: string, body: Record<string, unknown>) =>
    request<Person>('PATCH', '/people/' + enc(userId), { body }),

  roleAssignments: (query: Query, signal?: AbortSignal) =>
    request<Page<RoleAssignment>>('GET', '/role-assignments' + queryString(query), { signal }),
  assignRole: (body: { user_id: string; role: string; organisation: string }) =>
    request<RoleAssignment>('POST', '/role-assignments', { body }),
  removeRoleAssignment: (id: string | number) =>
    request<void>('DELETE', '/role-assignments/' + enc(String(id))),

  audit: (query: Query, signal?: AbortSignal) =>
    request<Page<AuditEntry>>('GET', '/audit' + queryString(query), { signal }),
  auditCsvUrl: (query: Query) => '/api/v1/audit' + queryString({ ...query, format: 'csv' }),
  systems: (query: Query, signal?: AbortSignal) =>
    request<Page<System>>('GET', '/systems' + queryString(query), { signal }),
  mySystems: (query: Query, signal?: AbortSignal) =>
    request<Page<System>>('GET', '/my/systems' + queryString(query), { signal }),
  system: (id: string) => request<System>('GET', '/systems/' + enc(id)),
  createSystem: (body: Record<string, unknown>) => request<System>('POST', '/systems', { body }),
  updateSystem: (id: string, body: Record<string, unknown>) =>
    request<System>('PATCH', '/systems/' + enc(id), { body }),
  components: (id: string) => request<Page<SystemComponent>>('GET', '/systems/' + enc(id) + '/components'),
  addComponent: (id: string, body: Record<string, unknown>) =>
    request<SystemComponent>('POST', '/systems/' + enc(id) + '/components', { body }),
  removeComponent: (id: string, componentId: number) =>
    request<void>('DELETE', '/systems/' + enc(id) + '/components/' + enc(String(componentId))),
  protection: (id: string) => request<Protection>('GET', '/systems/' + enc(id) + '/protection'),
  raise: (id: string, body: { aspect: string; level: number; reason: string; note?: string }) =>
    request<Protection>('POST', '/systems/' + enc(id) + '/raises', { body }),
  requirements: (id: string) => request<Requirements>('GET', '/systems/' + enc(id) + '/requirements'),
  link: (id: string, info: string) =>
    request<void>('PUT', '/systems/' + enc(id) + '/information/' + enc(info), { body: {} }),
  unlink: (id: string, info: string) =>
    request<void>('DELETE', '/systems/' + enc(id) + '/information/' + enc(info)),

  // catforms: the organisations using a system, its dependencies, components, rules, contracts.
  addSystemUser: (id: string, code: string) =>
    request<void>('PUT', '/systems/' + enc(id) + '/users/' + enc(code), { body: {} }),
  removeSystemUser: (id: string, code: string) =>
    request<void>('DELETE', '/systems/' + enc(id) + '/users/' + enc(code)),
  addDependency: (id: string, dep: string) =>
    request<void>('PUT', '/systems/' + enc(id) + '/dependencies/' + enc(dep), { body: {} }),
  removeDependency: (id: string, dep: string) =>
    request<void>('DELETE', '/systems/' + enc(id) + '/dependencies/' + enc(dep)),
  updateComponent: (id: string, componentId: number, body: Record<string, unknown>) =>
    request<SystemComponent>('PATCH', '/systems/' + enc(id) + '/components/' + enc(String(componentId)), { body }),
  requirementRules: (organisation: string) =>
    request<{ organisation: string | null; items: RequirementRule[] }>('GET', '/requirement-rules' + queryString({ organisation })),
  createRequirementRule: (body: Record<string, unknown>) =>
    request<RequirementRule>('POST', '/requirement-rules', { body }),
  updateRequirementRule: (ruleId: number, body: Record<string, unknown>) =>
    request<RequirementRule>('PATCH', '/requirement-rules/' + enc(String(ruleId)), { body }),
  deleteRequirementRule: (ruleId: number) =>
    request<void>('DELETE', '/requirement-rules/' + enc(String(ruleId))),
  contract: (code: string) => request<Contract>('GET', '/organisations/' + enc(code) + '/contract'),
  putContract: (code: string, body: { contract_reference: string; contract_end: string | null }) =>
    request<Contract>('PUT', '/organisations/' + enc(code) + '/contract', { body }),

  information: (query: Query, signal?: AbortSignal) =>
    request<Page<Information>>('GET', '/information' + queryString(query), { signal }),
  myInformation: (query: Query, signal?: AbortSignal) =>
    request<Page<Information>>('GET', '/my/information' + queryString(query), { signal }),
  informationAsset: (id: string) => request<Information>('GET', '/information/' + enc(id)),
  createInformation: (body: Record<string, unknown>) => request<Information>('POST', '/information', { body }),
  updateInformation: (id: string, body: Record<string, unknown>) =>
    request<Information>('PATCH', '/information/' + enc(id), { body }),
  findings: (query: Query, signal?: AbortSignal) =>
    request<Page<Finding>>('GET', '/findings' + queryString(query), { signal }),
  findingsExportUrl: (query: Query, format: 'csv' | 'xlsx') => '/api/v1/findings' + queryString({ ...query, format }),
  findingsSummary: (query: Query) => request<FindingsSummary>('GET', '/findings/summary' + queryString(query)),
  findingsTrend: (query: Query) => request<FindingsTrend>('GET', '/findings/trend' + queryString(query)),
  policies: () => request<Page<PolicyListItem>>('GET', '/policies'),
  policy: (code: string) => request<Policy>('GET', '/policies/' + enc(code)),
  attestations: (query: Query) => request<Page<Attestation>>('GET', '/attestations' + queryString(query)),
  attest: (body: Record<string, unknown>) => request<Attestation>('POST', '/attestations', { body }),
  evidenceUrl: (id: number) => '/api/v1/attestations/' + enc(String(id)) + '/evidence',
};
