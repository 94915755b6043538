// Where a finding leads: the object to fix, or the form to attest a duty; shares as percentages.
import type { Finding } from './api';
import { locale } from './i18n.svelte';

/** The page where the finding is dealt with. */
export function findingHref(f: Finding): string {
  const enc = encodeURIComponent;
  if (f.subject.kind === 'system') return '/system/visa?id=' + enc(f.subject.id);
  if (f.subject.kind === 'information') return '/information/visa?id=' + enc(f.subject.id);
  if (f.rule === 'attestation') {
    return '/intyga?organisation=' + enc(f.organisation) + '&krav=' + enc(f.obligation) + '&profil=' + enc(f.profile);
  }
  return '/policyer/visa?kod=' + enc(f.profile);
}

/** A share 0–1 as a whole percentage in the UI's language ("75 %"), or '' for null. */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined) return '';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
