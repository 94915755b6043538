// Shared form logic: which field a problem names, focusing it, and checks done before sending.
import { ApiError } from './api';
import { fieldText } from './errors';
import { t } from './i18n.svelte';

export type FieldErrors = Record<string, string>;

/**
 * Splits an error from a save into a message for the form and one for a field: a 422 (or 409)
 * naming a field of this form marks that field; anything else is the form's.
 */
export function splitError(err: unknown, fields: Record<string, string>): { form: unknown; fields: FieldErrors } {
  if (err instanceof ApiError && err.field && err.field in fields) {
    return { form: t('errors.checkField', { field: fields[err.field] }), fields: { [err.field]: fieldText(err) } };
  }
  return { form: err, fields: {} };
}

/** Moves focus to the first field with an error (the input's id is `${prefix}-${field}`). */
export function focusFirst(prefix: string, errors: FieldErrors, order: string[]): void {
  const first = order.find((f) => errors[f]);
  if (first) queueMicrotask(() => document.getElementById(prefix + '-' + first)?.focus());
}

/** Swedish organisationsnummer: ten digits (an optional dash after six) with a Luhn check digit. */
export function validOrgNumber(value: string): boolean {
  const m = /^(\d{6})-?(\d{4})$/.exec(value.trim());
  if (!m) return false;
  const digits = m[1] + m[2];
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

export function validEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** The fields whose value differs from the original: the body of a PATCH. Empty means null. */
export function changes(original: Record<string, unknown>, edited: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(edited)) {
    const now = value === '' ? null : value;
    const before = original[key] === undefined || original[key] === '' ? null : original[key];
    if (now !== before) out[key] = now;
  }
  return out;
}

/** The non-empty fields: the body of a POST. */
export function filled(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== '' && value !== null && value !== undefined) out[key] = value;
  }
  return out;
}
