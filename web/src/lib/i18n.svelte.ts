// The UI's words: every text a user sees is in i18n/sv.json (the default) and i18n/en.json.
// t('key.path', { name: 'x' }) looks a key up in the current language and fills in {name}.
import sv from '../i18n/sv.json';
import en from '../i18n/en.json';

export type Lang = 'sv' | 'en';
type Tree = { [key: string]: string | Tree };

const dictionaries: Record<Lang, Tree> = { sv, en };
const STORAGE_KEY = 'varn.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'sv' || saved === 'en') return saved;
  } catch {
    // Storage may be disabled; Swedish it is.
  }
  return 'sv';
}

export const i18n = $state({ lang: initialLang() });
document.documentElement.lang = i18n.lang;

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but switched.
  }
}

function lookup(dict: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = dict;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** True when the key exists (used to translate codes that may be unknown). */
export function has(key: string): boolean {
  return lookup(dictionaries[i18n.lang], key) !== undefined;
}

export function t(key: string, params: Record<string, string | number> = {}): string {
  const text = lookup(dictionaries[i18n.lang], key) ?? lookup(dictionaries.sv, key);
  if (text === undefined) {
    if (import.meta.env.DEV) console.warn('missing translation: ' + key);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** A text that depends on a count: the key's "one" or "other" form, with {count} filled in. */
export function tn(key: string, count: number, params: Record<string, string | number> = {}): string {
  const form = new Intl.PluralRules(locale()).select(count) === 'one' ? 'one' : 'other';
  return t(key + '.' + form, { ...params, count });
}

/** The locale for dates and numbers: Swedish dates are 2026-11-22, English ones 22 Nov 2026. */
export function locale(): string {
  return i18n.lang === 'sv' ? 'sv-SE' : 'en-GB';
}

/** A date (YYYY-MM-DD) for people; the date itself, without any time zone shift. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: i18n.lang === 'sv' ? 'short' : 'medium',
    timeZone: 'UTC',
  }).format(date);
}

/** An instant (ISO 8601, UTC) in the browser's time zone, to the second. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric',
    month: i18n.lang === 'sv' ? '2-digit' : 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(date);
}
