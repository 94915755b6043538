// Access control (docs/access.md): accounts and grants per system, access requests decided by
// information owners, tasks for system administrators, review campaigns, offboarding and MFA
// coverage. The API calls, the shapes they answer, and which roles see which pages.
import { api, queryString, request, type Page, type Query } from './api';
import { hasRole } from './risk';

/** A system, a person or an entitlement as the API names it: an id, or the id with a name. */
export type SystemRef = string | { external_id: string; name?: string };
export type PersonRef = string | { user_id: string; name?: string };
export type EntitlementRef = number | string | { id: number | string; name?: string; privileged?: boolean };

export type AccountStatus = 'active' | 'disabled' | 'removed';
export const ACCOUNT_STATUSES: AccountStatus[] = ['active', 'disabled', 'removed'];

export interface AccountException {
  reason: string;
  until: string;
  approved_by?: PersonRef | null;
  approved_at?: string | null;
}

export interface Account {
  id: number;
  system: SystemRef;
  system_name?: string;
  organisation: string;
  username: string;
  person: PersonRef | null;
  person_name?: string | null;
  shared: boolean;
  privileged: boolean;
  mfa_enrolled: boolean;
  last_login: string | null;
  status: AccountStatus;
  source?: string;
  exception?: AccountException | null;
  exception_valid?: boolean;
  active_grants?: number;
  created_at?: string;
  updated_at?: string;
  removed_at?: string | null;
}

/** A system one may ask for access to, as the request form lists them. */
export interface RequestableSystem {
  external_id: string;
  name: string;
  organisation: string;
  entitlements: Entitlement[];
}

export interface Entitlement {
  id: number;
  system?: string;
  name: string;
  description?: string;
  privileged: boolean;
  active_grants?: number;
}

export interface Grant {
  id: number;
  account: number;
  username?: string;
  system: SystemRef;
  system_name?: string;
  organisation: string;
  person?: PersonRef | null;
  person_name?: string | null;
  entitlement: EntitlementRef;
  entitlement_id?: number;
  entitlement_name?: string;
  privileged?: boolean;
  granted_at: string;
  granted_by: PersonRef | null;
  request?: number | null;
  source?: string;
  active?: boolean;
  revoked_at: string | null;
  revoked_by: PersonRef | null;
  revoke_reason: string | null;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'provisioned' | 'withdrawn';
export const REQUEST_STATUSES: RequestStatus[] = ['pending', 'approved', 'rejected', 'provisioned', 'withdrawn'];

export interface AccessRequest {
  id: number;
  organisation: string;
  system: SystemRef;
  system_name?: string;
  entitlement_id?: number;
  entitlement: EntitlementRef;
  entitlement_name?: string;
  person: PersonRef;
  person_name?: string;
  requested_by: PersonRef;
  requested_by_name?: string;
  justification: string;
  status: RequestStatus;
  decided_by: PersonRef | null;
  decided_by_name?: string | null;
  decided_at: string | null;
  comment: string | null;
  /** True when the caller may approve or reject it (an information owner of the system's information). */
  may_decide?: boolean;
  task?: number | null;
  grant?: number | null;
  created_at: string;
  updated_at?: string;
}

export type TaskKind = 'provision' | 'revoke';

export interface AccessTask {
  id: number;
  kind: TaskKind;
  organisation: string;
  system: SystemRef;
  system_name?: string;
  request?: number | null;
  grant?: number | null;
  review_item?: number | null;
  person?: PersonRef | null;
  person_name?: string | null;
  account?: string | number | { id: number; username?: string } | null;
  username?: string | null;
  entitlement?: EntitlementRef | null;
  entitlement_name?: string | null;
  assignee?: PersonRef | null;
  assignee_name?: string | null;
  due_on: string;
  overdue?: boolean;
  created_at: string;
  done_at: string | null;
  done_by: PersonRef | null;
  done_by_name?: string | null;
}

/** With mine=true: the caller's open review items per open campaign (the reminder). */
export interface ReviewReminder {
  review: number;
  title: string;
  due_on: string;
  open_items: number;
  last_reminder_at: string | null;
}

export type ReviewStatus = 'open' | 'completed' | 'cancelled';
export const REVIEW_STATUSES: ReviewStatus[] = ['open', 'completed', 'cancelled'];

export interface ReviewerProgress {
  user_id: string | null;
  name?: string | null;
  total: number;
  decided: number;
}

export interface ReviewSystem {
  system: SystemRef;
  name?: string;
  items: number;
  decided: number;
  completed_at: string | null;
}

export interface Review {
  id: number;
  organisation: string;
  title: string;
  due_on: string;
  status: ReviewStatus;
  started_by: PersonRef | null;
  started_by_name?: string | null;
  started_at: string;
  completed_at: string | null;
  last_reminder_at?: string | null;
  items: number;
  decided: number;
  systems?: ReviewSystem[];
  reviewers?: ReviewerProgress[];
}

export interface ReviewItem {
  id: number;
  review?: number;
  grant: number | { id: number };
  system: SystemRef;
  system_name?: string;
  organisation: string;
  account?: string | number | { id: number; username?: string } | null;
  username?: string;
  person?: PersonRef | null;
  person_name?: string | null;
  entitlement: EntitlementRef;
  entitlement_name?: string;
  privileged?: boolean;
  last_login?: string | null;
  granted_at?: string | null;
  reviewer: PersonRef | null;
  reviewer_name?: string | null;
  decision: 'keep' | 'revoke' | null;
  comment: string | null;
  decided_by: PersonRef | null;
  decided_by_name?: string | null;
  decided_at: string | null;
}

export interface OffboardingGrant {
  grant: number;
  system: SystemRef;
  system_name?: string;
  account?: string | number | { id: number; username?: string } | null;
  username?: string;
  entitlement: EntitlementRef;
  entitlement_name?: string;
  administrator?: PersonRef | null;
  last_login?: string | null;
  login_after_end?: boolean;
}

export interface OffboardingPerson {
  user_id: string;
  name: string;
  organisation: string;
  manager?: string | null;
  manager_name?: string | null;
  employment_end?: string | null;
  days_left: number | null;
  role_changed_at?: string | null;
  reason: 'employment_end' | 'role_change';
  possible_incident: boolean;
  grants: OffboardingGrant[];
}

export interface MfaCoverageRow {
  organisation: string;
  name: string;
  system?: string;
  accounts: number;
  with_mfa: number;
  privileged: number;
  privileged_with_mfa: number;
  mfa_share: number | null;
  privileged_mfa_share: number | null;
}

export interface MfaCoverage {
  organisations: MfaCoverageRow[];
  systems?: MfaCoverageRow[];
}

const enc = encodeURIComponent;
const idOf = (id: number | string) => enc(String(id));

export const accessApi = {
  accounts: (query: Query, signal?: AbortSignal) =>
    request<Page<Account>>('GET', '/accounts' + queryString(query), { signal }),
  accountsExportUrl: (query: Query, format: 'csv' | 'xlsx') => '/api/v1/accounts' + queryString({ ...query, format }),
  account: (id: number | string) => request<Account>('GET', '/accounts/' + idOf(id)),
  approveException: (id: number | string, body: { reason: string; until: string }) =>
    request<Account>('PUT', '/accounts/' + idOf(id) + '/exception', { body }),
  grants: (query: Query, signal?: AbortSignal) =>
    request<Page<Grant>>('GET', '/grants' + queryString(query), { signal }),
  grantsExportUrl: (query: Query, format: 'csv' | 'xlsx') => '/api/v1/grants' + queryString({ ...query, format }),
  mfaCoverage: (query: Query) => request<MfaCoverage>('GET', '/access/mfa-coverage' + queryString(query)),

  requestSystems: (query: Query) =>
    request<{ items: RequestableSystem[] }>('GET', '/access-requests/systems' + queryString(query)),
  requests: (query: Query, signal?: AbortSignal) =>
    request<Page<AccessRequest>>('GET', '/access-requests' + queryString(query), { signal }),
  createRequest: (body: Record<string, unknown>) => request<AccessRequest>('POST', '/access-requests', { body }),
  decide: (id: number | string, body: { decision: 'approve' | 'reject'; comment?: string }) =>
    request<AccessRequest>('POST', '/access-requests/' + idOf(id) + '/decision', { body }),

  tasks: (query: Query, signal?: AbortSignal) =>
    request<Page<AccessTask> & { reviews?: ReviewReminder[] }>('GET', '/access-tasks' + queryString(query), { signal }),
  taskDone: (id: number | string) => request<AccessTask>('POST', '/access-tasks/' + idOf(id) + '/done', { body: {} }),

  reviews: (query: Query, signal?: AbortSignal) =>
    request<Page<Review>>('GET', '/access-reviews' + queryString(query), { signal }),
  review: (id: number | string) => request<Review>('GET', '/access-reviews/' + idOf(id)),
  startReview: (body: { title: string; due_on: string; systems: string[]; organisation?: string }) =>
    request<Review>('POST', '/access-reviews', { body }),
  reviewItems: (id: number | string, query: Query, signal?: AbortSignal) =>
    request<Page<ReviewItem>>('GET', '/access-reviews/' + idOf(id) + '/items' + queryString(query), { signal }),
  reviewExportUrl: (id: number | string, format: 'csv' | 'xlsx') =>
    '/api/v1/access-reviews/' + idOf(id) + '/items' + queryString({ format }),
  decideItem: (id: number | string, itemId: number | string, body: { decision: 'keep' | 'revoke'; comment?: string }) =>
    request<ReviewItem>('POST', '/access-reviews/' + idOf(id) + '/items/' + idOf(itemId), { body }),
  remind: (id: number | string) => request<unknown>('POST', '/access-reviews/' + idOf(id) + '/remind', { body: {} }),

  offboarding: (query: Query, signal?: AbortSignal) =>
    request<{ items: OffboardingPerson[]; notice_days: number | null; next_cursor?: string | null }>(
      'GET', '/offboarding' + queryString(query), { signal }),
  offboardingExportUrl: (query: Query, format: 'csv' | 'xlsx') => '/api/v1/offboarding' + queryString({ ...query, format }),
};

// ---- names of the references (the API may send an id or the id with a name) ----

export function systemId(ref: SystemRef | null | undefined): string {
  if (!ref) return '';
  return typeof ref === 'string' ? ref : ref.external_id;
}
export function systemName(ref: SystemRef | null | undefined, name?: string | null): string {
  if (name) return name;
  if (!ref) return '';
  return typeof ref === 'string' ? ref : (ref.name ?? ref.external_id);
}
export function personId(ref: PersonRef | null | undefined): string {
  if (!ref) return '';
  return typeof ref === 'string' ? ref : ref.user_id;
}
export function personName(ref: PersonRef | null | undefined, name?: string | null): string {
  if (name) return name;
  if (!ref) return '';
  return typeof ref === 'string' ? ref : (ref.name ?? ref.user_id);
}
export function entitlementName(ref: EntitlementRef | null | undefined, name?: string | null): string {
  if (name) return name;
  if (ref === null || ref === undefined) return '';
  return typeof ref === 'object' ? (ref.name ?? String(ref.id)) : String(ref);
}
/** The username of an account, whichever way the object names it. */
export function accountName(a: { username?: string | null; account?: string | number | { username?: string } | null }): string {
  if (a.username) return a.username;
  if (typeof a.account === 'string') return a.account;
  return a.account && typeof a.account === 'object' ? (a.account.username ?? '') : '';
}

/** A shared account's exception, or null. */
export function exceptionOf(a: Account): AccountException | null {
  return a.exception ?? null;
}

/** A share (0..1) of a count, or null when there is nothing to share. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

// ---- who sees which page (the server decides; these only choose which links to show) ----

/** Everyone who works in a member organisation may ask for access (not suppliers or auditors). */
export const ACCESS_REQUEST_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner',
  'manager', 'head_of_administration', 'dpo', 'committee_member', 'user'];
/** Roles that read accounts, grants and the MFA coverage (permissions.csv). */
export const ACCESS_ACCOUNT_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner',
  'manager', 'head_of_administration', 'dpo'];
/** Roles that approve a shared account's exception. */
export const ACCESS_EXCEPTION_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner'];
/** Roles that decide access requests (the server also demands ownership of the system's information). */
export const ACCESS_DECIDE_ROLES = ['information_owner'];
/**
 * Roles that see the task list: those who administer systems or confirm for them, and information
 * owners, whose open review items show there too. (Any person may be a system's administrator; one
 * without these roles reaches the page from its address.)
 */
export const ACCESS_TASK_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner'];
/** Roles that see review campaigns; those who start them and remind reviewers. */
export const ACCESS_REVIEW_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner',
  'head_of_administration', 'dpo'];
export const ACCESS_REVIEW_START_ROLES = ['administrator', 'ciso', 'security_officer'];
/** Roles that see who is leaving and what to remove. */
export const ACCESS_OFFBOARDING_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'manager',
  'head_of_administration'];

export const ACCESS_PAGES = [
  { href: '/atkomst/konton', key: 'access.nav.accounts', roles: ACCESS_ACCOUNT_ROLES },
  { href: '/atkomst/begaran', key: 'access.nav.requests', roles: ACCESS_REQUEST_ROLES },
  { href: '/atkomst/uppgifter', key: 'access.nav.tasks', roles: ACCESS_TASK_ROLES },
  { href: '/atkomst/granskningar', key: 'access.nav.reviews', roles: ACCESS_REVIEW_ROLES },
  { href: '/atkomst/avslut', key: 'access.nav.offboarding', roles: ACCESS_OFFBOARDING_ROLES },
];

/** The access pages the user may open, in menu order. */
export function accessPages(): typeof ACCESS_PAGES {
  return ACCESS_PAGES.filter((p) => hasRole(p.roles));
}

// ---- people's names for the user ids the task, review and offboarding objects carry ----

/** Names by user id, filled in as they are looked up (an id stays missing when it cannot be read). */
export const names = $state<Record<string, string>>({});
const asked = new Set<string>();

/** Looks up the names of these user ids once each (for those who may read people). */
export function lookUpNames(ids: (string | null | undefined)[]): void {
  if (!hasRole(PEOPLE_READ_ROLES)) return;
  for (const id of ids) {
    if (!id || asked.has(id)) continue;
    asked.add(id);
    api.person(id).then((p) => (names[id] = p.name), () => {});
  }
}

/** The person's name when known, else their user id. */
export function nameOf(ref: PersonRef | null | undefined, name?: string | null): string {
  const id = personId(ref);
  return name || (typeof ref === 'object' && ref?.name) || names[id] || id;
}

/** Roles that read /people (permissions.csv). */
const PEOPLE_READ_ROLES = ['administrator', 'ciso', 'security_officer', 'system_owner', 'information_owner', 'manager',
  'head_of_administration', 'dpo'];
