// Who is signed in, which organisation the lists are scoped to, and the role names.
import { api, ApiError, setUnauthenticatedHandler, type Me, type Role } from './api';
import { i18n } from './i18n.svelte';

export const session = $state<{
  status: 'loading' | 'anonymous' | 'ready';
  me: Me | null;
  /** Why the login page is shown, e.g. the session ended. An i18n key, or ''. */
  notice: string;
}>({ status: 'loading', me: null, notice: '' });

export async function loadMe(): Promise<void> {
  try {
    session.me = await api.me();
    session.status = 'ready';
    restoreScope();
    loadRoles();
  } catch (err) {
    // 401: not signed in; 403 mfa_required: a login stopped halfway, which starts over; anything
    // else (the server is unreachable or too old): the login page explains when it is tried.
    if (!(err instanceof ApiError)) throw err;
    session.me = null;
    session.status = 'anonymous';
  }
}

export function signedOut(notice = ''): void {
  session.me = null;
  session.status = 'anonymous';
  session.notice = notice;
}

setUnauthenticatedHandler(() => {
  if (session.status === 'ready') signedOut('login.sessionEnded');
});

// ---- the organisation the lists show: '' is every organisation the user can see ----

const SCOPE_KEY = 'varn.organisation';
export const scope = $state({ code: '' });

function restoreScope(): void {
  let saved = '';
  try {
    saved = localStorage.getItem(SCOPE_KEY) ?? '';
  } catch {
    // Not remembered.
  }
  scope.code = session.me?.organisations.some((o) => o.code === saved) ? saved : '';
}

export function setScope(code: string): void {
  scope.code = code;
  try {
    localStorage.setItem(SCOPE_KEY, code);
  } catch {
    // Not remembered.
  }
}

/** The organisation's name, from the list of those the user can see; its code otherwise. */
export function orgName(code: string | null | undefined): string {
  if (!code) return '';
  return session.me?.organisations.find((o) => o.code === code)?.name ?? code;
}

/** The organisations the user can see, in tree order, each with its depth. */
export function orgTree(): { code: string; name: string; depth: number }[] {
  const all = session.me?.organisations ?? [];
  const codes = new Set(all.map((o) => o.code));
  const children = new Map<string, typeof all>();
  for (const o of all) {
    const parent = o.parent_code && codes.has(o.parent_code) ? o.parent_code : '';
    children.set(parent, [...(children.get(parent) ?? []), o]);
  }
  const out: { code: string; name: string; depth: number }[] = [];
  const visit = (parent: string, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'sv'));
    for (const o of list) {
      out.push({ code: o.code, name: o.name, depth });
      visit(o.code, depth + 1);
    }
  };
  visit('', 0);
  return out;
}

/** The code and every code below it in the tree. */
export function subtree(code: string): Set<string> {
  const all = session.me?.organisations ?? [];
  const found = new Set([code]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of all) {
      if (o.parent_code && found.has(o.parent_code) && !found.has(o.code)) {
        found.add(o.code);
        grew = true;
      }
    }
  }
  return found;
}

// ---- role names, in the user's language ----

export const roles = $state<{ items: Role[] }>({ items: [] });

async function loadRoles(): Promise<void> {
  try {
    roles.items = (await api.roles()).items;
  } catch {
    // The pages show the role ids instead.
  }
}

export function roleName(id: string): string {
  const role = roles.items.find((r) => r.id === id);
  if (!role) return id;
  return i18n.lang === 'sv' ? role.name_sv : role.name_en;
}
