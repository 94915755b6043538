// Problem documents in words for people: known codes in the user's language, the server's
// detail otherwise, and the request id when support may need it.
import { ApiError } from './api';
import { has, t, tn } from './i18n.svelte';

function wait(seconds: number | undefined): string {
  if (!seconds) return t('errors.waitAWhile');
  if (seconds < 60) return tn('errors.seconds', seconds);
  return tn('errors.minutes', Math.ceil(seconds / 60));
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (has('errors.code.' + err.code)) {
      return t('errors.code.' + err.code, { wait: wait(err.retryAfter), detail: err.detail });
    }
    if (err.detail) return err.detail;
    return t('errors.status', { status: err.status });
  }
  return t('errors.unexpected');
}

/** The message next to a form field: the translated code when there is one. */
export function fieldText(err: ApiError): string {
  if (has('errors.field.' + err.code)) return t('errors.field.' + err.code);
  return errorText(err);
}

/** The request id to quote to support, for errors that are not the user's to fix. */
export function supportId(err: unknown): string | undefined {
  if (!(err instanceof ApiError) || !err.requestId) return undefined;
  if (err.status >= 500 || !has('errors.code.' + err.code)) return err.requestId;
  return undefined;
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
